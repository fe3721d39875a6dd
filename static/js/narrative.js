/*
 * narrative.js – the Sachbericht's texts are saved while writing (templates/reports/narrative.html).
 * CSP-safe: no inline code. Without JavaScript the "Speichern" button saves as usual.
 *
 * Shortly after the last keystroke the form is sent to its data-narrative-autosave URL (fetch, CSRF
 * header from <meta name="csrf-token">). The answer carries the new version, which is put into every
 * loaded_version field of the page, so the next save (and "Texte übernehmen") builds on it. If someone
 * else saved in between, the server refuses (409) with a German message: autosaving stops, the message
 * is shown, and the version becomes the current one – a deliberate click on "Speichern" then overwrites.
 * drafts.js keeps its browser copy of the form as on every long form.
 */
(function () {
  "use strict";

  var DELAY_MS = 1500;
  var form = document.querySelector("form[data-narrative-autosave]");
  var takeOver = document.querySelector("form[data-narrative-take-over]");

  if (takeOver) {
    takeOver.addEventListener("submit", function (event) {
      var overwrite = takeOver.querySelector("input[name='overwrite']");
      var button = takeOver.querySelector("[data-confirm-overwrite]");
      if (overwrite && overwrite.checked && button && !window.confirm(button.getAttribute("data-confirm-overwrite"))) {
        event.preventDefault();
      }
    });
  }

  if (!form || !window.fetch || !window.FormData) {
    return;
  }

  var url = form.getAttribute("data-narrative-autosave");
  var status = form.querySelector("[data-narrative-status]");
  var tokenMeta = document.querySelector("meta[name='csrf-token']");
  var timer = null;
  var running = false;
  var again = false;
  var stopped = false;

  function show(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger", Boolean(failed));
    status.classList.toggle("text-body-secondary", !failed);
  }

  function setVersion(version) {
    if (!version) return;
    document.querySelectorAll("input[name='loaded_version']").forEach(function (input) {
      input.value = version;
    });
  }

  function save() {
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    show("Wird gespeichert …", false);
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenMeta ? tokenMeta.getAttribute("content") : "", Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return {}; })
          .then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.status === 200) {
          setVersion(result.data.version);
          show(result.data.message || "Gespeichert.", false);
        } else if (result.status === 409) {
          stopped = true;
          setVersion(result.data.version);
          show((result.data.message || "Inzwischen wurde dieser Text geändert.") +
            " Automatisches Speichern ist angehalten.", true);
        } else {
          show(result.data.message || "Automatisches Speichern fehlgeschlagen – bitte „Speichern“ verwenden.", true);
        }
      })
      .catch(function () {
        show("Keine Verbindung – die Texte bleiben in diesem Browser, bitte später „Speichern“.", true);
      })
      .then(function () {
        running = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (stopped) return;
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("submit", function () {
    stopped = true; // the normal save takes over
    if (timer) window.clearTimeout(timer);
  });
})();
