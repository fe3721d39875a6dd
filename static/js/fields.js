/*
 * fields.js – length limits that refuse instead of cutting, and the cursor in the first field.
 * CSP-safe: no inline code.
 *
 * A browser's maxlength silently cuts pasted text. Here the limit moves to data-maxlength;
 * a counter "120 / 200 Zeichen" appears near the limit, and a text over it is marked invalid
 * with a German message and refused on submit (the server refuses it too).
 * On create/edit pages the first field to fill (the first with an error, else the first
 * field of the main form) gets the focus.
 */
(function () {
  "use strict";

  var SHOW_FROM = 0.8; // show the counter from 80 % of the limit
  var FILLABLE = "input:not([type='hidden']):not([type='submit']):not([type='button'])" +
    ":not([type='reset']):not([type='image']), select, textarea";

  // Counted as the server counts: characters, and a line break in a textarea arrives as \r\n.
  function lengthOf(field) {
    var length = Array.from(field.value).length;
    if (field.tagName === "TEXTAREA") {
      length += (field.value.match(/\n/g) || []).length;
    }
    return length;
  }

  function tooLongMessage(length, limit) {
    return "Dieser Text ist " + length + " Zeichen lang, erlaubt sind höchstens " + limit +
      ". Bitte um " + (length - limit) + " Zeichen kürzen.";
  }

  function addDescription(field, id) {
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) === -1) {
      ids.push(id);
      field.setAttribute("aria-describedby", ids.join(" "));
    }
  }

  function counterFor(field, index) {
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.id = (field.id || "field-" + index) + "-counter";
    counter.setAttribute("aria-live", "polite");
    counter.hidden = true;
    var anchor = field.closest(".input-group") || field;
    anchor.insertAdjacentElement("afterend", counter);
    addDescription(field, counter.id);
    return counter;
  }

  function updateCounter(field, counter) {
    var limit = parseInt(field.dataset.maxlength, 10);
    var length = lengthOf(field);
    var over = length > limit;
    counter.hidden = length < limit * SHOW_FROM;
    counter.textContent = length + " / " + limit + " Zeichen" + (over ? " – zu lang, bitte kürzen." : "");
    counter.classList.toggle("text-danger", over);
    field.setCustomValidity(over ? tooLongMessage(length, limit) : "");
    // Only the mark set here is removed again; the server's error marks stay.
    if (over) {
      field.classList.add("is-invalid");
      field.dataset.tooLong = "true";
    } else if (field.dataset.tooLong) {
      field.classList.remove("is-invalid");
      delete field.dataset.tooLong;
    }
  }

  function setUpLengthLimit(field, index) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!(limit > 0)) {
      return;
    }
    field.removeAttribute("maxlength");
    field.dataset.maxlength = String(limit);
    var counter = counterFor(field, index);
    field.addEventListener("input", function () { updateCounter(field, counter); });
    updateCounter(field, counter);
  }

  // Forms with novalidate skip the browser's check; refuse the submit here.
  function refuseTooLong(event) {
    var form = event.target;
    var field = form.querySelector && form.querySelector("[data-too-long]");
    if (field) {
      event.preventDefault();
      event.stopImmediatePropagation();
      field.focus();
      field.reportValidity();
    }
  }

  function isVisible(field) {
    return field.getClientRects().length > 0 && !field.closest("[hidden]");
  }

  function isFillable(field) {
    // Tom Select keeps the original <select> (class "tomselected") only for the form data.
    return !field.disabled && !field.readOnly && field.tabIndex !== -1 &&
      !field.classList.contains("tomselected") && isVisible(field);
  }

  function mainForm() {
    var forms = document.querySelectorAll("main form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      var fields = Array.prototype.filter.call(form.querySelectorAll(FILLABLE), isFillable);
      // Forms in a <section> or <aside> are panels on a detail page, not the page's purpose.
      var isPagesForm = (form.getAttribute("method") || "").toLowerCase() === "post" && !form.closest("section, aside");
      if (isPagesForm && fields.length) {
        return fields;
      }
    }
    return null;
  }

  function focusFirstField() {
    var active = document.activeElement;
    if (window.location.hash || (active && active !== document.body && active !== document.documentElement)) {
      return;
    }
    if (document.querySelector("[autofocus]")) {
      return; // the browser already placed the cursor
    }
    // Filter forms (GET) are not the main form: list pages keep the focus where it is.
    var fields = mainForm();
    if (!fields) {
      return;
    }
    var withError = fields.filter(function (field) { return field.closest(".is-invalid") !== null; });
    focusWithoutOpening(withError[0] || fields[0]);
  }

  // A Tom Select picker would open its list on focus and cover the fields below it.
  function focusWithoutOpening(field) {
    var original = field.id && document.getElementById(field.id.replace(/-ts-control$/, ""));
    var picker = original && original !== field ? original.tomselect : null;
    if (!picker) {
      field.focus();
      return;
    }
    var openOnFocus = picker.settings.openOnFocus;
    picker.settings.openOnFocus = false;
    field.focus(); // Tom Select handles the focus event synchronously
    picker.settings.openOnFocus = openOnFocus;
  }

  function start() {
    document.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(setUpLengthLimit);
    document.addEventListener("submit", refuseTooLong, true);
    focusFirstField();
  }

  // After picker.js (also on DOMContentLoaded), so Tom Select's own field is the one focused.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
