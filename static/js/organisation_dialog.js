/*
 * organisation_dialog.js – register an organisation without leaving the consultation form.
 * CSP-safe: no inline handlers. Without JavaScript the link "Neue Organisation anlegen …"
 * leads to the create page, which returns to the consultation form with the organisation chosen.
 *
 * Markup (outside the consultation <form>, since forms cannot nest):
 *   <dialog id="organisation-dialog" data-form-url="/organisationen/neu/?dialog=1"
 *           data-for-select="id_organisation" data-error="…">
 *     <button type="button" data-dialog-close>…</button>
 *     <div data-dialog-body></div>
 *   </dialog>
 *   The create link (a[data-organisation-create] or a[href*="weiter=beratung"]) becomes a button.
 *   Endpoint: GET the form fragment; POST it -> 201 {"id", "text"} or the fragment with errors.
 */
(function () {
  "use strict";

  function init() {
    var dialog = document.getElementById("organisation-dialog");
    if (!dialog || typeof dialog.showModal !== "function" || typeof window.fetch !== "function") {
      return;
    }
    var link = document.querySelector("a[data-organisation-create], a[href*='weiter=beratung']");
    var select = document.getElementById(dialog.dataset.forSelect || "id_organisation");
    if (!link || !select) {
      return;
    }
    var body = dialog.querySelector("[data-dialog-body]");

    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link p-0 align-baseline";
    button.textContent = dialog.dataset.openLabel || link.textContent;
    button.setAttribute("aria-haspopup", "dialog");
    link.replaceWith(button);

    function showError() {
      body.textContent = "";
      var alert = document.createElement("p");
      alert.className = "alert alert-danger";
      alert.textContent = dialog.dataset.error || "";
      body.appendChild(alert);
    }

    function showFragment(html) {
      body.innerHTML = html; // our own server-rendered fragment (same origin), no scripts in it
      if (typeof window.initOrganisationForms === "function") {
        window.initOrganisationForms(body);
      }
      var invalid = body.querySelector(".is-invalid, .alert-warning input[type=checkbox]");
      var first = invalid || body.querySelector("input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
    }

    function load() {
      body.textContent = dialog.dataset.loading || "";
      fetch(dialog.dataset.formUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(showFragment)
        .catch(showError);
    }

    function choose(organisation) {
      var value = String(organisation.id);
      if (select.tomselect) {
        select.tomselect.addOption({ id: value, text: organisation.text });
        select.tomselect.setValue(value);
      } else {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = organisation.text;
        select.appendChild(option);
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function submit(form) {
      var saveButtons = form.querySelectorAll("[type=submit]");
      saveButtons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json, text/html" }
      })
        .then(function (response) {
          if (response.status === 201) {
            return response.json().then(function (organisation) {
              choose(organisation);
              dialog.close();
            });
          }
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text().then(showFragment);
        })
        .catch(function () {
          saveButtons.forEach(function (b) { b.disabled = false; });
          showError();
        });
    }

    button.addEventListener("click", function () {
      dialog.showModal();
      load();
    });
    dialog.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.closest("dialog") !== dialog) {
        return;
      }
      event.preventDefault();
      submit(form);
    });
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-dialog-close]")) {
        dialog.close();
      }
    });
    dialog.addEventListener("close", function () {
      body.textContent = "";
      button.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
