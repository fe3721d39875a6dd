/*
 * drafts.js – typed work survives a lost session, a crash or a closed tab.
 * CSP-safe: no inline code.
 *
 * Every long POST form of a signed-in person's page (a <textarea>, data-draft, or at least
 * four fields; data-draft="off" opts out) keeps a draft in this browser's localStorage (key: user, path, form index), saved shortly
 * after each change. When the page is opened again with a draft that differs from the form,
 * a banner offers to restore or discard it. The draft is deleted after a successful save:
 * on submit the key is remembered in sessionStorage; the next page decides:
 *   - the login page (the session had ended): keep the draft, and still keep it on the
 *     page the person returns to after signing in;
 *   - the form again with errors (validation, a refused concurrent edit): keep it;
 *   - anything else (the save redirected on): delete it.
 * Never stored: password fields, hidden fields (CSRF token, submission_token), files.
 * The record version the draft was typed on (loaded_version) is kept beside it and put back on
 * restore: a draft of an older version then meets the server's check for concurrent edits
 * instead of silently overwriting what someone saved since. Signing out deletes all drafts.
 */
(function () {
  "use strict";

  var PREFIX = "vb.draft:";
  var PENDING_KEY = "vb.draft.pending";
  var MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
  var SAVE_DELAY_MS = 400;
  var MIN_FIELDS = 4;
  var SKIPPED_NAMES = ["csrfmiddlewaretoken", "loaded_version", "submission_token"];
  var SKIPPED_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];
  // What a form shown again with errors carries (crispy forms and the project's templates).
  var ERROR_MARKERS = "main .is-invalid, main .invalid-feedback, main .alert-danger, main .errorlist";

  function usableStorage(name) {
    try {
      var storage = window[name];
      storage.getItem(PREFIX);
      return storage;
    } catch (error) {
      return null; // storage disabled: no drafts, the forms work as before
    }
  }

  var store = usableStorage("localStorage");
  var pendingStore = usableStorage("sessionStorage");
  if (!store || !pendingStore) {
    return;
  }

  function readJson(storage, key) {
    try {
      return JSON.parse(storage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function draftKeys() {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function dropOldDrafts() {
    var oldest = Date.now() - MAX_AGE_MS;
    draftKeys().forEach(function (key) {
      var draft = readJson(store, key);
      if (!draft || !(draft.savedAt > oldest)) {
        store.removeItem(key);
      }
    });
  }

  // Set on sign-out, so leaving the page does not write the form's draft back.
  var signingOut = false;

  function deleteAllDrafts() {
    signingOut = true;
    draftKeys().forEach(function (key) { store.removeItem(key); });
    pendingStore.removeItem(PENDING_KEY);
  }

  // --- Reading and writing a form's values -------------------------------------------------

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.disabled &&
        SKIPPED_NAMES.indexOf(field.name) === -1 && SKIPPED_TYPES.indexOf(field.type) === -1;
    });
  }

  // {name: {kind, values, labels}}; labels keep the text of chosen options, so a remote
  // picker's option that is not in the page any more can be added back.
  function capture(form) {
    var state = {};
    fieldsOf(form).forEach(function (field) {
      var entry = state[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        entry = state[field.name] = entry || { kind: "check", values: [] };
        if (field.checked) {
          entry.values.push(field.value);
        }
      } else if (field.tagName === "SELECT") {
        entry = state[field.name] = { kind: "select", values: [], labels: {} };
        Array.prototype.forEach.call(field.selectedOptions, function (option) {
          entry.values.push(option.value);
          entry.labels[option.value] = option.text;
        });
      } else {
        entry = state[field.name] = entry || { kind: "text", values: [] };
        entry.values.push(field.value);
      }
    });
    return state;
  }

  function valuesOnly(state) {
    var values = {};
    Object.keys(state || {}).sort().forEach(function (name) { values[name] = state[name].values; });
    return JSON.stringify(values);
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (option) { return option.value === value; });
  }

  function restoreSelect(select, entry) {
    var picker = select.tomselect;
    entry.values.forEach(function (value) {
      var label = entry.labels && entry.labels[value];
      if (picker) {
        if (!picker.options[value] && label != null) {
          var option = {};
          option[picker.settings.valueField] = value;
          option[picker.settings.labelField] = label;
          picker.addOption(option);
        }
      } else if (!hasOption(select, value) && label != null) {
        select.add(new Option(label, value));
      }
    });
    if (picker) {
      picker.setValue(select.multiple ? entry.values : (entry.values[0] || ""), true);
    } else {
      Array.prototype.forEach.call(select.options, function (option) {
        option.selected = entry.values.indexOf(option.value) !== -1;
      });
    }
  }

  function announceChange(field) {
    // Other scripts (length counters, the report form's period switch) follow the new values.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function versionField(form) {
    return form.elements.namedItem("loaded_version");
  }

  function restore(form, state, version) {
    var loaded = versionField(form);
    if (loaded && version) {
      loaded.value = version;
    }
    var fields = fieldsOf(form);
    Object.keys(state).forEach(function (name) {
      var entry = state[name];
      var named = fields.filter(function (field) { return field.name === name; });
      if (entry.kind === "check") {
        named.forEach(function (field) { field.checked = entry.values.indexOf(field.value) !== -1; });
      } else if (entry.kind === "select" && named.length) {
        restoreSelect(named[0], entry);
      } else if (entry.kind === "text") {
        named.forEach(function (field, index) {
          if (index < entry.values.length) {
            field.value = entry.values[index];
          }
        });
      }
      named.forEach(announceChange);
    });
  }

  // --- The banner -------------------------------------------------------------------------

  function formatTime(timestamp) {
    var date = new Date(timestamp);
    return date.toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit", year: "numeric" }) + ", " +
      date.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" }) + " Uhr";
  }

  function button(label, className) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm " + className;
    element.textContent = label;
    return element;
  }

  function showBanner(form, draft, onRestore, onDiscard) {
    var banner = document.createElement("div");
    banner.className = "alert alert-info draft-banner";
    banner.setAttribute("role", "status");
    banner.setAttribute("data-draft-banner", "");
    var text = document.createElement("span");
    text.className = "draft-banner__text";
    text.textContent = "Ein nicht gespeicherter Entwurf vom " + formatTime(draft.savedAt) + " liegt vor.";
    var restoreButton = button("Wiederherstellen", "btn-primary");
    var discardButton = button("Verwerfen", "btn-outline-secondary");
    banner.append(text, restoreButton, discardButton);
    form.parentNode.insertBefore(banner, form);

    restoreButton.addEventListener("click", function () {
      onRestore();
      text.textContent = "Der Entwurf wurde wiederhergestellt. Bitte prüfen und speichern.";
      restoreButton.remove();
      discardButton.remove();
    });
    discardButton.addEventListener("click", function () {
      onDiscard();
      banner.remove();
    });
  }

  // --- One form ---------------------------------------------------------------------------

  function namesOf(form) {
    var names = {};
    fieldsOf(form).forEach(function (field) { names[field.name] = true; });
    return Object.keys(names).length;
  }

  // Long forms: free text, an explicit data-draft, or enough fields to be tedious to type again
  // (organisation and event forms have no textarea). data-draft="off" opts out.
  function isDraftable(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" &&
      form.getAttribute("data-draft") !== "off" &&
      !form.hasAttribute("data-login-form") && !form.hasAttribute("data-logout") &&
      !form.querySelector("input[type='password']") &&
      (form.hasAttribute("data-draft") || form.querySelector("textarea") !== null || namesOf(form) >= MIN_FIELDS);
  }

  function keepDrafts(form, key) {
    var initial = valuesOnly(capture(form));
    var draft = readJson(store, key);
    // Until the person answers the banner, the offered draft is not overwritten.
    var decided = true;
    var timer = null;

    function saveNow() {
      window.clearTimeout(timer);
      if (!decided || signingOut) {
        return;
      }
      var state = capture(form);
      if (valuesOnly(state) === initial) {
        store.removeItem(key); // nothing typed (or all undone): nothing to offer later
        return;
      }
      try {
        var loaded = versionField(form);
        store.setItem(key, JSON.stringify({ savedAt: Date.now(), state: state, version: loaded && loaded.value }));
      } catch (error) {
        // Storage full: the form still works, only without a draft.
      }
    }

    function saveSoon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(saveNow, SAVE_DELAY_MS);
    }

    if (draft && draft.state && valuesOnly(draft.state) !== initial) {
      decided = false;
      showBanner(form, draft, function () {
        decided = true;
        restore(form, draft.state, draft.version);
        saveNow();
      }, function () {
        decided = true;
        store.removeItem(key);
      });
    }

    form.addEventListener("input", saveSoon);
    form.addEventListener("change", saveSoon);
    window.addEventListener("pagehide", saveNow);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        saveNow();
      }
    });
    document.addEventListener("vb:session-ended", saveNow);
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return; // refused before sending (e.g. a text too long): nothing was saved
      }
      saveNow();
      pendingStore.setItem(PENDING_KEY, JSON.stringify({ key: key, loginSeen: false }));
    });
  }

  // --- After a submit ---------------------------------------------------------------------

  function settlePendingSubmit(formsByKey) {
    var pending = readJson(pendingStore, PENDING_KEY);
    if (!pending || !pending.key) {
      return;
    }
    if (document.querySelector("form[data-login-form]")) {
      // The session had ended: the save did not happen.
      pending.loginSeen = true;
      pendingStore.setItem(PENDING_KEY, JSON.stringify(pending));
      return;
    }
    pendingStore.removeItem(PENDING_KEY);
    if (pending.loginSeen) {
      return; // back after signing in: the draft is offered again
    }
    var form = formsByKey[pending.key];
    var refused = form && document.querySelector(ERROR_MARKERS);
    if (!refused) {
      store.removeItem(pending.key);
    }
  }

  function start() {
    dropOldDrafts();
    var user = document.body.dataset.user;
    var formsByKey = {};
    if (user) {
      Array.prototype.filter.call(document.querySelectorAll("main form"), isDraftable)
        .forEach(function (form, index) {
          formsByKey[PREFIX + user + ":" + window.location.pathname + "#" + index] = form;
        });
    }
    settlePendingSubmit(formsByKey);
    Object.keys(formsByKey).forEach(function (key) { keepDrafts(formsByKey[key], key); });
    document.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", deleteAllDrafts);
    });
  }

  // After picker.js (also on DOMContentLoaded), so restored selects find their Tom Select.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
