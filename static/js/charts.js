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

  // The figures are laid out for a desktop-wide panel and for export (indicators/charts: a title
  // wrapped at 42 characters and a source line at 95 inside the figure, a one-row legend at the
  // top). In a narrower panel (a phone) the figure drops its own title and source line, which
  // the panel shows just above and below it (its heading and caption), and a top legend becomes
  // one entry per line, wrapped to the panel's width, and a map's colour bar goes under the map;
  // the plot area keeps its height, except a map's, which gets the height its range needs.
  // Nothing then runs off the right edge or over another label (tests/e2e/test_chart_layout.py).
  // The PNG/SVG exports keep the full layout.
  var NARROW = 640;
  var LEGEND_PX = 7.4; // average width of a 13 px legend character

  function wrapWords(text, chars) {
    var lines = [];
    var line = "";
    String(text).split(/<br>|\s+/).forEach(function (word) {
      if (!word) return;
      if (line && (line + " " + word).length > chars) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  // A Mercator map keeps its aspect: drawn at a narrow panel's width, a map as wide as Europe
  // (or wider, as Austria) is shorter than the plot area, which stayed empty above and below it.
  // The height its longitude and latitude range needs at WIDTH, or null for any other figure.
  function mapHeight(layout, width) {
    var geo = layout.geo;
    if (!geo || !geo.projection || geo.projection.type !== "mercator") return null;
    var lon = geo.lonaxis && geo.lonaxis.range, lat = geo.lataxis && geo.lataxis.range;
    if (!lon || !lat || lon[1] <= lon[0] || lat[1] <= lat[0]) return null;
    var y = function (deg) { return Math.log(Math.tan(Math.PI / 4 + (deg * Math.PI) / 360)); };
    var ratio = (y(lat[1]) - y(lat[0])) / (((lon[1] - lon[0]) * Math.PI) / 180);
    return Math.ceil((width - (layout.margin.l || 0) - (layout.margin.r || 0)) * ratio);
  }

  function fitToWidth(fig, width) {
    var layout = fig.layout;
    var title = layout.title;
    // Only the figures indicators.charts.base_layout made (title placed in container units).
    if (!width || width >= NARROW || !layout.margin || !layout.height || !title || title.yref !== "container") return false;
    var plotHeight = layout.height - layout.margin.t - layout.margin.b;
    title.text = "";
    layout.annotations = (layout.annotations || []).filter(function (note) { return note.name !== "source"; });
    var top = 16;
    var legend = layout.legend;
    if (legend && legend.orientation === "h" && legend.yanchor === "bottom" && legend.y >= 1 && layout.showlegend !== false) {
      var lines = 0;
      fig.data.forEach(function (trace) {
        if (trace.showlegend === false || !trace.name) return;
        var wrapped = wrapWords(trace.name, Math.floor((width - 56) / LEGEND_PX));
        trace.name = wrapped.join("<br>");
        lines += wrapped.length;
      });
      layout.legend = { orientation: "v", x: 0, xanchor: "left", y: 1, yanchor: "bottom", yref: "paper" };
      top += 19 * lines + 8;
    }
    var bottom = 48; // the x-axis ticks and title (automargin widens it when they need more)
    // A map's colour bar stands beside it on a desktop; on a phone it would take half the width:
    // it goes under the map, horizontal, with its title above it.
    fig.data.forEach(function (trace) {
      if (!trace.colorbar || trace.showscale === false) return;
      var bar = trace.colorbar;
      bar.orientation = "h";
      bar.x = 0.5;
      bar.xanchor = "center";
      bar.y = 0;
      bar.yanchor = "top";
      bar.yref = "paper";
      bar.len = 0.8; // room at both ends for the end labels
      bar.thickness = 12;
      var named = []; // "1 = EU average": too wide beside the end labels, so told in the title
      if (bar.ticktext) {
        bar.ticktext = bar.ticktext.map(function (text) {
          var parts = String(text).split(" = ");
          if (parts.length !== 2) return text;
          named.push(parts[0] + " = " + parts[1]);
          return parts[0];
        });
      }
      bar.title = bar.title || {};
      bar.title.side = "top";
      var text = String(bar.title.text || "").replace(/<br>/g, " ");
      bar.title.text = [text].concat(named).filter(Boolean).join("<br>");
      bottom = named.length ? 112 : 96;
    });
    layout.margin.t = top;
    layout.margin.b = bottom;
    var map = mapHeight(layout, width);
    if (map && map < plotHeight) plotHeight = map;
    layout.height = plotHeight + layout.margin.t + layout.margin.b;
    return true;
  }

  // An x-axis title is centred under the plot area, which long category labels may push to the
  // right: measured once drawn, a title running past the figure's edge is wrapped to the room on
  // either side of its centre (automargin then makes room for its lines).
  function fitAxisTitle(el, fig) {
    var node = el.querySelector(".g-xtitle text");
    var axis = fig.layout.xaxis;
    if (!node || !axis || !axis.title || !axis.title.text) return null;
    var box = el.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    if (r.left >= box.left - 1 && r.right <= box.right + 1) return null;
    var text = String(axis.title.text).replace(/<br>/g, " ");
    var centre = (r.left + r.right) / 2;
    var room = 2 * (Math.min(centre - box.left, box.right - centre) - 6);
    var chars = Math.max(6, Math.floor((room / r.width) * text.length));
    return window.Plotly.relayout(el, { "xaxis.title.text": wrapWords(text, chars).join("<br>") });
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) return;
    var fig = figureFor(el);
    if (!fig || !window.Plotly) return;
    el.setAttribute("data-drawn", "1");
    var narrow = fitToWidth(fig, el.clientWidth);
    window.Plotly.newPlot(el, fig.data, fig.layout, {
      responsive: true,
      // No Plotly mode bar: its icon links sat inside the figure (nested, unlabelled controls for a
      // screen reader); the panel's own export menu downloads PNG/SVG. Drag-zoom still works.
      displayModeBar: false,
      topojsonURL: topojsonURL,
    }).then(function () {
      return narrow ? fitAxisTitle(el, fig) : null;
    }).then(function () {
      el.classList.add("chart-ready");
    });
  }

  function download(button) {
    var el = document.querySelector('[data-chart="' + button.getAttribute("data-target") + '"]');
    if (!el) return;
    draw(el);
    var fig = figureFor(el); // as built: the desktop layout, whatever the panel's width
    fig.config = { topojsonURL: topojsonURL };
    window.Plotly.downloadImage(fig, {
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
