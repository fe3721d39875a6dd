// After a passkey was set up (django-otp-webauthn's event), reload the overview so it lists the new passkey.
(function () {
  "use strict";
  var box = document.querySelector("[data-passkey-register]");
  if (!box) {
    return;
  }
  document.addEventListener("otp_webauthn.register_complete", function () {
    window.location.assign(box.getAttribute("data-done-url"));
  });
})();
