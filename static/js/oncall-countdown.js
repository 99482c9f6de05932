// Keeps "in 3 days 4 hours" countdowns current. The server renders the same text, so the page
// is right without JavaScript; this only spares a reload.
(function () {
  "use strict";
  function plural(count, name) { return count + " " + name + (count === 1 ? "" : "s"); }
  function text(ms) {
    var seconds = Math.floor(ms / 1000);
    if (seconds <= 0) { return "now (reload for the next pair)"; }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var units = [[days, "day"], [hours, "hour"], [minutes, "minute"]];
    while (units.length && units[0][0] === 0) { units.shift(); }
    if (!units.length) { return "in less than a minute"; }
    return "in " + units.slice(0, 2).filter(function (u) { return u[0]; })
      .map(function (u) { return plural(u[0], u[1]); }).join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-until]").forEach(function (el) {
      var until = Date.parse(el.getAttribute("data-countdown-until"));
      if (!isNaN(until)) { el.textContent = text(until - now); }
    });
  }
  tick();
  setInterval(tick, 30000);
})();
