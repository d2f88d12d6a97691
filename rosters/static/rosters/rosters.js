// The roster page: follows a generation in progress, and fills the cell form from a click on the grid.
(function () {
  "use strict";
  var card = document.getElementById("roster");
  if (card && card.dataset.finished !== "1") {
    var bar = document.getElementById("roster-progress");
    var status = document.getElementById("roster-status");
    var message = document.getElementById("roster-message");
    var poll = function () {
      fetch(card.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (bar) { bar.style.width = data.progress + "%"; }
          status.textContent = data.status_display;
          message.textContent = data.message;
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
  var grid = document.querySelector("table.roster-grid[data-editable='1']");
  var form = document.getElementById("cell-form");
  if (!grid || !form) { return; }
  var days = Array.prototype.map.call(grid.querySelectorAll("thead th.day"), function (th) { return th; });
  var start = new Date(document.getElementById("cell-day").min + "T00:00:00");
  grid.addEventListener("click", function (event) {
    var td = event.target.closest("td.cell");
    if (!td) { return; }
    var row = td.parentElement;
    var index = Array.prototype.indexOf.call(row.querySelectorAll("td.cell"), td);
    var day = new Date(start.getTime());
    day.setDate(day.getDate() + index);
    var iso = day.getFullYear() + "-" + String(day.getMonth() + 1).padStart(2, "0") + "-" + String(day.getDate()).padStart(2, "0");
    document.getElementById("cell-person").value = row.dataset.person;
    document.getElementById("cell-day").value = iso;
    document.getElementById("cell-shift").value = td.textContent.trim();
    Array.prototype.forEach.call(grid.querySelectorAll("td.picked"), function (c) { c.classList.remove("picked"); });
    td.classList.add("picked");
    document.getElementById("cell-shift").focus();
  });
  void days;
})();
