// Optional enhancements; the page works fully without them.
// 1. Arrow keys move between the days of an uptime bar (one tab stop per bar).
// 2. The page reloads itself when it changed on the server (checked every 60 s while visible).
// 3. Updates folded for phones (many open incidents) are shown unfolded on a wider screen.
(function () {
  "use strict";
  function roving(bar) {
    var days = bar.querySelectorAll("li");
    if (!days.length) return;
    days.forEach(function (d) { d.tabIndex = -1; });
    days[days.length - 1].tabIndex = 0;
    bar.addEventListener("keydown", function (e) {
      var list = Array.prototype.slice.call(days);
      var i = list.indexOf(document.activeElement);
      if (i < 0) return;
      var next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: list.length - 1 }[e.key];
      if (next === undefined || next < 0 || next >= list.length) return;
      e.preventDefault();
      list[i].tabIndex = -1;
      list[next].tabIndex = 0;
      list[next].focus();
    });
  }
  document.querySelectorAll("ol.bar").forEach(roving);

  // The breakpoint of style.css's wide layout (40rem).
  if (window.matchMedia && window.matchMedia("(min-width: 40rem)").matches) {
    document.querySelectorAll("details.latest").forEach(function (d) { d.open = true; });
  }

  var etag = null;
  function check() {
    if (document.visibilityState !== "visible") return;
    fetch(location.pathname, { method: "HEAD", cache: "no-store" }).then(function (r) {
      var tag = r.headers.get("ETag");
      if (!r.ok || !tag) return;
      var base = tag.replace(/-(gz|br)"$/, '"');
      if (etag && base !== etag && !document.querySelector(".bar li:focus, details summary:focus")) {
        location.reload();
      }
      etag = base;
    }).catch(function () {});
  }
  if (window.fetch) {
    check();
    setInterval(check, 60000);
  }
})();
