// Follows a running import batch: polls its status and reloads the page once it is finished.
(function () {
  "use strict";
  var card = document.getElementById("batch");
  if (!card || card.dataset.finished === "1") { return; }
  var bar = document.getElementById("batch-progress");
  var status = document.getElementById("batch-status");
  var message = document.getElementById("batch-message");
  function poll() {
    fetch(card.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        bar.parentElement.setAttribute("aria-valuenow", data.progress);
        status.textContent = data.status_display;
        message.textContent = data.message;
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
