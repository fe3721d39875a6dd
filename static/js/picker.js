/*
 * picker.js – remote search pickers and confirm dialogs.
 * CSP-safe: no inline handlers, no eval. Requires tom-select.complete.min.js
 * to be loaded before this file.
 *
 * Markup:
 *   <select name="person" data-picker-url="/api/personen/"
 *           data-picker-placeholder="Name eingeben …"
 *           data-picker-empty="Keine Treffer">
 *     <option value="12" selected>Name (Kreis)</option>   (optional, kept)
 *   </select>
 *   Endpoint: GET url?q=… -> {"results": [{"id": 12, "text": "Name (Kreis)"}]}
 *
 *   <form method="post" data-confirm="Wirklich löschen?"> … </form>
 *   (also works on a submit button: <button data-confirm="…">)
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DEBOUNCE_MS = 250;

  function escapeHtml(str) {
    return String(str)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#039;");
  }

  function buildUrl(base, query) {
    var sep = base.indexOf("?") === -1 ? "?" : "&";
    return base + sep + "q=" + encodeURIComponent(query);
  }

  function initPicker(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    var url = select.dataset.pickerUrl;
    var placeholder = select.dataset.pickerPlaceholder || "Name eingeben …";
    var emptyText = select.dataset.pickerEmpty || "Keine Treffer";
    var hintText = select.dataset.pickerHint ||
      "Mindestens " + MIN_CHARS + " Zeichen eingeben";
    var controller = null;

    // Already-selected <option>s are picked up by Tom Select automatically
    // and are never cleared by remote loading.
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      placeholder: placeholder,
      create: false,
      preload: false,
      loadThrottle: DEBOUNCE_MS,
      maxOptions: 50,
      // <select multiple>: Tom Select picks several; each chosen item gets a remove button.
      // Closing after each pick clears the search text and leaves no open list without options.
      plugins: select.multiple ? { remove_button: { title: "Entfernen" } } : {},
      closeAfterSelect: select.multiple,
      // The cursor may start here (fields.js): the list opens with the first typed character, not
      // empty on focus (an empty listbox holding only the hint is not a valid listbox for screen readers).
      openOnFocus: false,
      // The server already filters; show whatever it returns.
      score: function () {
        return function () { return 1; };
      },
      shouldLoad: function (query) {
        return query.length >= MIN_CHARS;
      },
      load: function (query, callback) {
        if (controller) {
          controller.abort();
        }
        controller = typeof AbortController === "function" ? new AbortController() : null;
        fetch(buildUrl(url, query), {
          method: "GET",
          credentials: "same-origin",
          headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
          signal: controller ? controller.signal : undefined
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("HTTP " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            callback((data && data.results) || []);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeHtml(emptyText) + "</div>";
        },
        not_loading: function () {
          return '<div class="no-results">' + escapeHtml(hintText) + "</div>";
        },
        loading: function () {
          return '<div class="spinner" role="status" aria-label="Lädt …"></div>';
        }
      }
    });
    // Tom Select moves the <label> to its own combobox; hide the original,
    // now unlabelled (and unfocusable) <select> from assistive technology.
    select.setAttribute("aria-hidden", "true");
  }

  function initPickers(root) {
    (root || document).querySelectorAll("select[data-picker-url]").forEach(initPicker);
  }

  // Confirm before submitting forms (or via buttons) carrying data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset && submitter.dataset.confirm) ||
      (form && form.dataset ? form.dataset.confirm : "");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initPickers(document); });
  } else {
    initPickers(document);
  }

  window.initPickers = initPickers;
})();
