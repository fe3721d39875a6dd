/*
 * organisation_form.js – live hint about similar organisations while registering one.
 * CSP-safe: no inline handlers. The server refuses the first save anyway when similar
 * organisations exist (checkbox "Trotzdem neu anlegen"), so this is only a head start.
 *
 * Markup: <form data-organisation-form data-similar-url="/organisationen/aehnliche/"
 *               data-similar-label="Ähnliche Organisationen …" [data-similar-new-tab]>
 *   Endpoint: GET url?name=…&municipality=… -> {"results": [{"id", "text", "url"}]}
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;
  var MIN_CHARS = 3;

  function initForm(form) {
    if (form.dataset.similarReady || !form.dataset.similarUrl) {
      return;
    }
    form.dataset.similarReady = "1";
    var name = form.querySelector("[name$='name']");
    var municipality = form.querySelector("[name$='municipality']");
    if (!name) {
      return;
    }
    var hint = document.createElement("div");
    hint.className = "alert alert-warning py-2 mt-2 d-none";
    hint.setAttribute("data-similar-hint", "");
    hint.setAttribute("role", "status");
    name.insertAdjacentElement("afterend", hint);

    var timer = null;
    var controller = null;

    function show(results) {
      hint.textContent = "";
      if (!results.length) {
        hint.classList.add("d-none");
        return;
      }
      var label = document.createElement("p");
      label.className = "mb-1";
      label.textContent = form.dataset.similarLabel || "";
      var list = document.createElement("ul");
      list.className = "mb-0";
      results.forEach(function (result) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = result.url;
        link.textContent = result.text;
        if (form.hasAttribute("data-similar-new-tab")) {
          link.target = "_blank";
          link.rel = "noopener";
        }
        item.appendChild(link);
        list.appendChild(item);
      });
      hint.appendChild(label);
      hint.appendChild(list);
      hint.classList.remove("d-none");
    }

    function query() {
      var text = name.value.trim();
      if (text.length < MIN_CHARS) {
        show([]);
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = form.dataset.similarUrl + "?name=" + encodeURIComponent(text) +
        "&municipality=" + encodeURIComponent(municipality ? municipality.value.trim() : "");
      fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) { show((data && data.results) || []); })
        .catch(function () { /* aborted or offline: the server checks on save */ });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(query, DEBOUNCE_MS);
    }

    name.addEventListener("input", schedule);
    if (municipality) {
      municipality.addEventListener("input", schedule);
    }
  }

  function initOrganisationForms(root) {
    (root || document).querySelectorAll("form[data-organisation-form]").forEach(initForm);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initOrganisationForms(document); });
  } else {
    initOrganisationForms(document);
  }

  window.initOrganisationForms = initOrganisationForms;
})();
