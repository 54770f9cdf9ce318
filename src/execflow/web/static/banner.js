/* ExecFlow in-app banner. Include with one tag:
 *   <script src="https://status.example.com/banner.js" defer></script>
 * While a P1 incident is open it shows a dismissible bar at the top of the page, and
 * removes it when the incident is resolved. It polls /api/v1/banner on the server it was
 * loaded from (every 30 s, every 15 s while a banner shows, backing off to 5 min on
 * errors); the browser revalidates with the ETag, so an unchanged answer is a 304.
 * No dependencies; it adds one element and touches nothing else. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var base = new URL(script.src, document.baseURI);
  var url = base.origin + "/api/v1/banner";
  var statusUrl = base.origin + "/status.html";
  var QUIET_MS = 30000, ACTIVE_MS = 15000, MAX_BACKOFF_MS = 300000;
  var backoff = 0, bar = null, shownFor = null, timer = null;

  function dismissed(id) {
    try { return window.sessionStorage.getItem("execflow-banner-dismissed") === id; }
    catch (e) { return false; }
  }
  function remember(id) {
    try { window.sessionStorage.setItem("execflow-banner-dismissed", id); } catch (e) { /* private mode */ }
  }
  function remove() {
    if (bar && bar.parentNode) { bar.parentNode.removeChild(bar); }
    bar = null; shownFor = null;
  }
  function show(data) {
    if (dismissed(data.incident_id)) { remove(); return; }
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "execflow-banner";
      bar.setAttribute("role", "alert");
      var s = bar.style;
      s.position = "sticky"; s.top = "0"; s.zIndex = "2147483647"; s.display = "flex";
      s.gap = "1em"; s.alignItems = "center"; s.justifyContent = "space-between";
      s.padding = "0.75em 1em"; s.background = "#a40e26"; s.color = "#ffffff";
      s.font = "600 1rem/1.4 system-ui, sans-serif";
      var text = document.createElement("span");
      text.className = "execflow-banner-text";
      var link = document.createElement("a");
      link.href = statusUrl; link.textContent = "Status page";
      link.style.color = "#ffffff"; link.style.marginLeft = "0.5em";
      var close = document.createElement("button");
      close.type = "button"; close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Dismiss this notice");
      var c = close.style;
      c.background = "transparent"; c.color = "#ffffff"; c.border = "1px solid #ffffff";
      c.borderRadius = "0.25em"; c.font = "inherit"; c.cursor = "pointer"; c.padding = "0 0.5em";
      close.addEventListener("click", function () { remember(shownFor); remove(); });
      var left = document.createElement("span");
      left.appendChild(text); left.appendChild(link);
      bar.appendChild(left); bar.appendChild(close);
      document.body.insertBefore(bar, document.body.firstChild);
    }
    shownFor = data.incident_id;
    bar.querySelector(".execflow-banner-text").textContent = data.message || "We are working on a major incident.";
  }
  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(poll, ms);
  }
  function poll() {
    fetch(url, { cache: "no-cache", credentials: "omit", mode: "cors" })
      .then(function (response) {
        if (!response.ok) { throw new Error("banner " + response.status); }
        return response.json();
      })
      .then(function (data) {
        backoff = 0;
        if (data.active) { show(data); schedule(ACTIVE_MS); } else { remove(); schedule(QUIET_MS); }
      })
      .catch(function () {
        backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : QUIET_MS);
        schedule(backoff);
      });
  }
  window.ExecFlowBanner = { refresh: poll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();
