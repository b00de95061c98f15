// Site shell behaviour: the small-screen menu toggle, and the discussion panels loaded into the
// page. No inline scripts anywhere (strict CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A page built once per data generation marks where its discussion panel goes
  // (<section data-panel="…?fragment=1">, with working links); the panel, which depends on the
  // viewer, replaces it once fetched. A failed fetch leaves the links in place.
  function loadPanels() {
    document.querySelectorAll("section[data-panel]").forEach(function (place) {
      place.setAttribute("aria-busy", "true");
      fetch(place.getAttribute("data-panel"), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var panel = document.createRange().createContextualFragment(html).querySelector("section");
          if (!panel) throw new Error("no panel");
          // The page's own heading stays (its wording, its id for aria-labelledby).
          var heading = panel.querySelector("h2"), own = place.querySelector("h2");
          if (heading && own) heading.replaceWith(own);
          place.replaceWith(panel);
        })
        .catch(function () {
          place.removeAttribute("aria-busy");
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    loadPanels();
    var toggle = document.querySelector("[data-nav-toggle]");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      document.querySelectorAll(".site-nav, .account-nav").forEach(function (nav) {
        nav.classList.toggle("open", open);
      });
    });
  });
})();
