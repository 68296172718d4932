// Registers the safety service worker so the crisis page (with the safety plan) opens offline.
(function () {
  "use strict";
  var holder = document.getElementById("offline-support");
  if (!holder || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker
    .register(holder.dataset.swUrl, { scope: holder.dataset.scope })
    .then(function () {
      holder.textContent = holder.dataset.readyText;
    })
    .catch(function () {
      // Without a service worker the page still works online; nothing to tell the patient.
    });
})();
