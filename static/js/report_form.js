// Report form: show only the fields the chosen period needs (without JavaScript all are shown,
// with a hint; the server ignores the others either way).
(function () {
  "use strict";
  var form = document.querySelector("form[aria-labelledby='report-form-heading']");
  if (!form) return;
  var radios = form.querySelectorAll("input[name='period_kind']");
  var parts = form.querySelectorAll("[data-period-kinds]");
  var hint = form.querySelector("[data-period-hint]");

  function update() {
    var chosen = form.querySelector("input[name='period_kind']:checked");
    var kind = chosen ? chosen.value : "year";
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-period-kinds").split(" ").indexOf(kind) === -1;
    });
    if (hint) hint.hidden = true;
  }

  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
