// Follows the unfinished allocation runs on a page: polls each one's status and reloads once all are done.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-run-status-url]"));
  var waiting = rows.filter(function (row) { return row.dataset.finished !== "1"; });
  if (!waiting.length) { return; }
  function poll() {
    Promise.all(waiting.map(function (row) {
      return fetch(row.dataset.runStatusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var bar = row.querySelector(".progress > div");
          if (bar) { bar.style.width = data.progress + "%"; bar.parentElement.setAttribute("aria-valuenow", data.progress); }
          var status = row.querySelector(".status");
          if (status) { status.textContent = data.status_display; status.className = "status " + data.status; }
          var message = row.querySelector(".run-message");
          if (message) { message.textContent = data.message; }
          return data.finished;
        });
    })).then(function (finished) {
      if (finished.every(Boolean)) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
