/*
 * session.js – warns before the session ends and offers to stay signed in.
 * CSP-safe: no inline code. Reads from <body> (signed-in people only):
 *   data-session-age            SESSION_COOKIE_AGE in seconds
 *   data-session-seconds-left   what the server says is left right now
 *   data-session-keepalive-url  POST → 204 renews the session
 * and fills the hidden #session-notice region of base.html.
 * Open tabs share the expected end through localStorage, so activity in one tab keeps
 * the others from warning wrongly.
 */
(function () {
  "use strict";

  var body = document.body;
  var age = parseInt(body.dataset.sessionAge, 10);
  var secondsLeft = parseInt(body.dataset.sessionSecondsLeft, 10);
  var notice = document.getElementById("session-notice");
  if (!notice || !(age > 0) || isNaN(secondsLeft)) {
    return;
  }

  var STORE_KEY = "vb.session.endsAt";
  var TICK_MS = 1000;
  // Warn five minutes ahead; short (test) timeouts get a quarter of their length.
  var warnAheadMs = Math.min(300, age / 4) * 1000;
  var text = notice.querySelector("[data-session-text]");
  var keepAliveButton = notice.querySelector("[data-session-keepalive]");
  var loginLink = notice.querySelector("[data-session-login]");
  var ownEndsAt = Date.now() + secondsLeft * 1000;
  var state = "";

  function readShared() {
    try {
      return parseInt(window.localStorage.getItem(STORE_KEY), 10) || 0;
    } catch (error) {
      return 0;
    }
  }

  function share(endsAt) {
    ownEndsAt = endsAt;
    try {
      window.localStorage.setItem(STORE_KEY, String(endsAt));
    } catch (error) {
      // Private mode without storage: this tab still warns on its own.
    }
  }

  // The last value written by any tab comes from the newest server answer.
  function endsAt() {
    return readShared() || ownEndsAt;
  }

  function remainingText(ms) {
    if (ms < 60 * 1000) {
      return "Ihre Sitzung endet in weniger als einer Minute.";
    }
    var minutes = Math.ceil(ms / 60000);
    return "Ihre Sitzung endet in etwa " + (minutes === 1 ? "einer Minute" : minutes + " Minuten") + ".";
  }

  function show(newState, message) {
    if (text.textContent !== message) {
      text.textContent = message;
    }
    notice.hidden = false;
    keepAliveButton.hidden = newState !== "warning";
    loginLink.hidden = newState !== "ended";
    state = newState;
  }

  function tick() {
    var remaining = endsAt() - Date.now();
    if (remaining <= 0) {
      if (state !== "ended") {
        show("ended", "Ihre Sitzung ist abgelaufen. Nicht gespeicherte Eingaben bleiben als Entwurf " +
          "in diesem Browser erhalten und werden nach der erneuten Anmeldung wieder angeboten.");
        // drafts.js saves what was typed since its last save.
        document.dispatchEvent(new CustomEvent("vb:session-ended"));
      }
    } else if (remaining <= warnAheadMs) {
      show("warning", remainingText(remaining) + " Möchten Sie angemeldet bleiben?");
    } else if (state !== "") {
      notice.hidden = true;
      state = "";
    }
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") : "";
  }

  function keepAlive() {
    keepAliveButton.disabled = true;
    fetch(body.dataset.sessionKeepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      // A session that has already ended answers with a redirect to the login page.
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" }
    })
      .then(function (response) {
        if (response.status === 204) {
          share(Date.now() + age * 1000);
        } else {
          share(Date.now() - 1);
        }
        tick();
      })
      .catch(function () {
        show("warning", "Die Verbindung zum Server ist fehlgeschlagen. Bitte erneut versuchen.");
      })
      .then(function () {
        keepAliveButton.disabled = false;
      });
  }

  keepAliveButton.addEventListener("click", keepAlive);
  window.addEventListener("storage", function (event) {
    // Another tab was active or signed in again.
    if (event.key === STORE_KEY) {
      tick();
    }
  });
  share(ownEndsAt);
  window.setInterval(tick, TICK_MS);
  tick();
})();
