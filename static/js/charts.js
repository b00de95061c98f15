// Draws every chart panel from its json_script figure and wires the PNG/SVG buttons.
// No inline script anywhere: the figures travel as JSON, this file is the only code (strict CSP).
(function () {
  "use strict";
  var script = document.currentScript;
  var topojsonURL = script ? script.getAttribute("data-topojson") : "/static/topojson/";

  function figureFor(el) {
    var node = document.getElementById(el.getAttribute("data-chart"));
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) return;
    var fig = figureFor(el);
    if (!fig || !window.Plotly) return;
    el.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(el, fig.data, fig.layout, {
      responsive: true,
      // No Plotly mode bar: its icon links sat inside the figure (nested, unlabelled controls for a
      // screen reader); the panel's own export menu downloads PNG/SVG. Drag-zoom still works.
      displayModeBar: false,
      topojsonURL: topojsonURL,
    }).then(function () {
      el.classList.add("chart-ready");
    });
  }

  function download(button) {
    var el = document.querySelector('[data-chart="' + button.getAttribute("data-target") + '"]');
    if (!el) return;
    draw(el);
    var fig = figureFor(el);
    window.Plotly.downloadImage(el, {
      format: button.getAttribute("data-download"),
      filename: el.getAttribute("data-filename") || "chart",
      width: 1200,
      height: (fig && fig.layout && fig.layout.height) || 500,
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Draw one chart per frame so the page stays responsive while a dozen charts render.
    var queue = Array.prototype.slice.call(document.querySelectorAll(".chart-canvas[data-chart]"));
    (function next() {
      var el = queue.shift();
      if (!el) return;
      draw(el);
      window.requestAnimationFrame(next);
    })();
    document.querySelectorAll("[data-download]").forEach(function (button) {
      button.addEventListener("click", function () { download(button); });
    });
    // Filter forms submit on change (they still have a submit button without JS).
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
