// Import screens: the status page asks for the progress of a large file's check or import every two seconds
// and leads on when it is done; the "Importieren" button is disabled once clicked (the server imports a file once either way).
(function () {
  "use strict";

  document.querySelectorAll("form[data-import-confirm]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type='submit']").forEach(function (button) { button.disabled = true; });
    });
  });

  var box = document.querySelector("[data-import-status]");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var label = box.querySelector("[data-import-label]");
  var bar = box.querySelector("[data-import-bar]");
  var count = box.querySelector("[data-import-count]");
  var error = box.querySelector("[data-import-error]");
  var next = box.querySelector("[data-import-next]");
  var nextLink = box.querySelector("[data-import-next-link]");
  var wait = box.querySelector("[data-import-wait]");
  var countText = count ? count.textContent : "";
  var INTERVAL_MS = 2000;

  function show(state) {
    label.textContent = state.label;
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    if (count && countText) {
      // The server's wording ("0 von 600 Zeilen"), with the numbers replaced.
      var numbers = 0;
      count.textContent = countText.replace(/\d+/g, function () {
        numbers += 1;
        return numbers === 1 ? state.done : state.total;
      });
    }
    if (state.error) {
      error.textContent = state.error;
      error.hidden = false;
    }
    if (state.finished) {
      if (wait) wait.hidden = true;
      if (state.next) nextLink.href = state.next;
      next.hidden = false;
      if (state.redirect) window.location.assign(state.next);
    }
    return state.finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        if (!show(state)) window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL_MS * 3); });
  }

  if (next.hidden) window.setTimeout(poll, INTERVAL_MS);
})();
