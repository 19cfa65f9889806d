/* fair-live.js: the organiser's live view of a fair reloads its figures
 * every 30 seconds (progressive enhancement: without it the page is the
 * same, and the browser's reload refreshes it). It fetches the page again
 * and swaps the #fair-live block; it waits while the tab is hidden or
 * while focus or an open detail is inside the block, so nobody loses
 * their place. */
(function () {
  "use strict";
  var box = document.getElementById("fair-live");
  if (!box || !window.fetch || !window.DOMParser) return;
  var every = (parseInt(box.getAttribute("data-refresh"), 10) || 30) * 1000;
  var busy = false;

  var show_auto = function () {
    var auto = document.getElementById("fair-live-auto");
    if (auto) auto.hidden = false;
  };
  var in_use = function () {
    var a = document.activeElement;
    return (a && a !== document.body && box.contains(a)) ||
      box.querySelector("details[open]") !== null;
  };
  var refresh = function () {
    if (busy || document.hidden || in_use()) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin",
                                  headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("fair-live");
        if (fresh) {
          box.replaceWith(fresh);
          box = fresh;
          show_auto();
        }
      })
      .catch(function () {
        var stamp = document.getElementById("fair-live-stamp");
        if (stamp) stamp.classList.add("stale");
      })
      .then(function () { busy = false; });
  };
  show_auto();
  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
})();
