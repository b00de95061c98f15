// Industrial Forum behaviour: progressive enhancement only (every action works without JS).
// No inline scripts anywhere (strict CSP); htmx handles the "helpful" toggle via hx-* attributes.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
