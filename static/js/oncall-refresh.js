// Fetches the dashboard again when its answer stops being true (a handoff, a cover starting or
// ending): the page says when, in a hidden marker's data-refresh-at, and what to say then. The
// fresh page's content replaces the old one and a notice says it changed. Without JavaScript
// the countdown's "reload for the next pair" still says what to do.
(function () {
  "use strict";
  var AFTER_MS = 1000;   // a little after the instant, so the server is past it too
  var RETRY_MS = 5000;
  var TRIES = 12;
  var LONGEST_TIMER_MS = 2147483647;  // setTimeout's limit: about 24 days

  function marker(root) { return root.querySelector("[data-refresh-at]"); }

  function schedule() {
    var found = marker(document);
    if (!found) { return; }
    var at = found.getAttribute("data-refresh-at");
    var wait = Date.parse(at) - Date.now() + AFTER_MS;
    if (isNaN(wait) || wait > LONGEST_TIMER_MS) { return; }
    setTimeout(function () {
      refresh(at, found.getAttribute("data-refresh-notice"), TRIES);
    }, Math.max(wait, 0));
  }

  function retry(at, notice, tries) {
    if (tries > 1) { setTimeout(function () { refresh(at, notice, tries - 1); }, RETRY_MS); }
  }

  function refresh(at, notice, tries) {
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("oncall-live");
        var live = document.getElementById("oncall-live");
        var freshMarker = fresh && marker(fresh);
        if (!fresh || !live || (freshMarker && freshMarker.getAttribute("data-refresh-at") === at)) {
          retry(at, notice, tries);  // the server's clock is not past the instant yet
          return;
        }
        live.replaceWith(document.importNode(fresh, true));
        var asOf = document.getElementById("oncall-as-of");
        var freshAsOf = doc.getElementById("oncall-as-of");
        if (asOf && freshAsOf) { asOf.replaceWith(document.importNode(freshAsOf, true)); }
        var said = document.getElementById("oncall-refresh-notice");
        if (said) { said.textContent = notice; }
        schedule();
      })
      .catch(function () { retry(at, notice, tries); });
  }

  schedule();
})();
