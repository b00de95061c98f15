// Site shell behaviour: the small-screen menu toggle. No inline scripts anywhere (strict CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
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
