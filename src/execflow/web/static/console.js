/* ExecFlow console: local times, countdowns, keyboard shortcuts, live updates, and
 * checking log entries against the signed checkpoint in the browser. No dependencies,
 * no build step; every page works without it. */
(function () {
  "use strict";

  /* ---- times: the viewer's zone (Intl follows daylight saving), UTC on hover ---- */
  var zoneFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  function localTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      el.textContent = zoneFormat.format(when);
      el.title = when.toISOString().replace(".000Z", "Z").replace("T", " ") + " (UTC)";
    });
  }
  function span(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    if (s < 90) { return s + " s"; }
    var m = Math.round(s / 60);
    if (m < 90) { return m + " min"; }
    var h = Math.floor(m / 60);
    return h + " h " + (m % 60) + " min";
  }
  function countdowns(root) {
    var now = Date.now();
    root.querySelectorAll("[data-due]").forEach(function (el) {
      var left = new Date(el.getAttribute("data-due")).getTime() - now;
      el.textContent = left > 0 ? "due in " + span(left) : "overdue by " + span(left);
      el.classList.toggle("overdue", left <= 0);
    });
    var updated = root.querySelector("[data-updated-at]");
    if (updated) {
      var ago = now - new Date(updated.getAttribute("data-updated-at")).getTime();
      updated.textContent = "updated " + (ago < 5000 ? "just now" : span(ago) + " ago");
    }
  }

  /* ---- keyboard: j/k to move, Enter to open, a to acknowledge, / to search, ? help ---- */
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }
  function select(index) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    var link = all[current].querySelector("a");
    if (link) { link.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var all = rows();
    if (event.key === "j") { select(current + 1); event.preventDefault(); }
    else if (event.key === "k") { select(current - 1); event.preventDefault(); }
    else if (event.key === "a" && current >= 0 && all[current]) {
      var ack = all[current].querySelector("form[data-ack]");
      if (ack) { ack.requestSubmit(); event.preventDefault(); }
    } else if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { search.focus(); event.preventDefault(); }
    } else if (event.key === "?") {
      var help = document.getElementById("help");
      if (help && help.showModal) { help.showModal(); event.preventDefault(); }
    }
  });

  /* ---- live: Server-Sent Events by log index; the page's main part is fetched again ---- */
  var refreshing = false, again = false;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    /* made afresh (never a kept page): another node may not have seen the change yet */
    var url = window.location.pathname + window.location.search + (window.location.search ? "&" : "?") + "live=1";
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        var main = document.querySelector("main");
        if (!fresh || !main) { return; }
        var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("form") : null;
        if (focused && focused.querySelector("textarea, input[type=text], input[type=search]")) {
          return; /* never replace a form someone is typing in */
        }
        /* keep what the person was looking at: proof results and opened details */
        var checked = {};
        main.querySelectorAll("[data-verified]").forEach(function (el) {
          if (el.textContent) { checked[el.getAttribute("data-verified")] = [el.textContent, el.className]; }
        });
        var box = main.querySelector("[data-consistency]");
        var said = box ? [box.textContent, box.className, box.getAttribute("role")] : null;
        var opened = [];
        main.querySelectorAll("details[open]").forEach(function (el, n) { opened.push(el.id || n); });
        main.innerHTML = fresh.innerHTML;
        main.querySelectorAll("[data-verified]").forEach(function (el) {
          var kept = checked[el.getAttribute("data-verified")];
          if (kept) { el.textContent = kept[0]; el.className = kept[1]; }
        });
        main.querySelectorAll("details").forEach(function (el, n) {
          if (opened.indexOf(el.id || n) !== -1) { el.open = true; }
        });
        var fresh_box = main.querySelector("[data-consistency]");
        if (fresh_box && said) {
          fresh_box.textContent = said[0]; fresh_box.className = said[1];
          if (said[2]) { fresh_box.setAttribute("role", said[2]); }
        }
        localTimes(main); countdowns(main); verifyButtons(main);
        if (current >= 0) { select(current); }
      })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }
  var status = function (text) {
    var el = document.querySelector("[data-live-status]");
    if (el) { el.textContent = text; }
  };
  var pollTimer = null;
  function poll() { refresh(); pollTimer = setTimeout(poll, 10000); }
  function live() {
    if (!document.querySelector("[data-updated-at]")) { return; }
    if (!window.EventSource) { status("Polling"); poll(); return; }
    var marker = document.querySelector("[data-log-at]");
    var since = marker ? "?since=" + marker.getAttribute("data-log-at") : "";
    var source = new EventSource("/events" + since);
    source.addEventListener("change", function () { refresh(); });
    /* closed before the page goes, so leaving never shows as a broken stream */
    window.addEventListener("pagehide", function () { source.close(); });
    source.onopen = function () { status("Live"); if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; } };
    source.onerror = function () { status("Reconnecting…"); if (!pollTimer) { pollTimer = setTimeout(poll, 10000); } };
  }

  /* ---- proofs, checked here with Web Crypto: the checkpoint's Ed25519 signature (C2SP
   * signed-note), an entry's inclusion (RFC 9162 2.1.3.2) and consistency (2.1.4.2) ---- */
  function bytes(b64) {
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var n = 0; n < raw.length; n++) { out[n] = raw.charCodeAt(n); }
    return out;
  }
  function hex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var n = 0; n < out.length; n++) { out[n] = parseInt(text.substr(n * 2, 2), 16); }
    return out;
  }
  function concat() {
    var parts = Array.prototype.slice.call(arguments), size = 0, at = 0;
    parts.forEach(function (p) { size += p.length; });
    var out = new Uint8Array(size);
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  async function sha256(data) { return new Uint8Array(await crypto.subtle.digest("SHA-256", data)); }
  async function node(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }
  function same(a, b) {
    if (!a || !b || a.length !== b.length) { return false; }
    for (var n = 0; n < a.length; n++) { if (a[n] !== b[n]) { return false; } }
    return true;
  }
  /* The checkpoint: verify its signature with the vkey, return {size, root}. */
  async function openCheckpoint(note, vkey) {
    /* name+keyid+base64: the name has no "+", the base64 may */
    var first = vkey.indexOf("+"), second = vkey.indexOf("+", first + 1);
    var parts = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
    var key = bytes(parts[2]);
    if (key[0] !== 1) { throw new Error("not an Ed25519 verifier key"); }
    var split = note.indexOf("\n\n");
    var body = note.slice(0, split + 1);
    var signed = false;
    var publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    var lines = note.slice(split + 2).split("\n");
    for (var n = 0; n < lines.length; n++) {
      var line = lines[n];
      if (line.indexOf("\u2014 " + parts[0] + " ") !== 0) { continue; }
      var blob = bytes(line.slice(line.lastIndexOf(" ") + 1));
      if (!same(blob.slice(0, 4), hex(parts[1]))) { continue; }
      signed = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, blob.slice(4), new TextEncoder().encode(body));
      if (signed) { break; }
    }
    if (!signed) { throw new Error("the checkpoint's signature does not verify"); }
    var head = body.split("\n");
    return { size: Number(head[1]), root: bytes(head[2]) };
  }
  async function inclusionRoot(index, size, leaf, path) {
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return null; }
      if (fn % 2 === 1 || fn === sn) {
        r = await node(path[i], r);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
      } else {
        r = await node(r, path[i]);
      }
      fn >>= 1; sn >>= 1;
    }
    return sn === 0 ? r : null;
  }
  async function consistent(first, second, firstRoot, secondRoot, path) {
    if (first === second) { return path.length === 0 && same(firstRoot, secondRoot); }
    if ((first & (first - 1)) === 0) { path = [firstRoot].concat(path); }
    if (!path.length) { return false; }
    var fn = first - 1, sn = second - 1;
    while (fn % 2 === 1) { fn >>= 1; sn >>= 1; }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (sn === 0) { return false; }
      if (fn % 2 === 1 || fn === sn) {
        fr = await node(path[i], fr); sr = await node(path[i], sr);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
      } else {
        sr = await node(sr, path[i]);
      }
      fn >>= 1; sn >>= 1;
    }
    return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot);
  }
  async function getJSON(url) {
    var response = await fetch(url, { credentials: "same-origin" });
    var body = await response.json();
    if (!response.ok) { throw new Error(body.error || ("HTTP " + response.status)); }
    return body;
  }
  async function verify(index, out) {
    out.textContent = "checking…"; out.className = "";
    try {
      var proof = await getJSON("/audit/proof/" + index);
      if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
        out.textContent = proof.server_check ? "verified by the server (not in your browser: this page is not a secure context; download the proof beside it and check it offline)" : "NOT verified by the server";
        out.className = proof.server_check ? "ok" : "bad";
        return;
      }
      var head = await openCheckpoint(proof.checkpoint, proof.vkey);
      var leaf = await sha256(concat(new Uint8Array([0]), bytes(proof.entry)));
      var root = await inclusionRoot(proof.index, head.size, leaf, proof.hashes.map(bytes));
      var ok = root !== null && same(root, head.root);
      out.textContent = ok ? "verified in your browser against signed checkpoint " + head.size : "VERIFICATION FAILED: this entry does not match the signed log";
      out.className = ok ? "ok" : "bad";
    } catch (error) {
      out.textContent = "VERIFICATION FAILED: " + error.message; out.className = "bad";
    }
  }
  function verifyButtons(root) {
    root.querySelectorAll("[data-verify]").forEach(function (button) {
      button.addEventListener("click", function () {
        var index = button.getAttribute("data-verify");
        var out = document.querySelector("[data-verified='" + index + "']");
        if (out) { verify(Number(index), out); }
      });
    });
  }

  /* ---- the audit page: is the log still an extension of what this browser saw? ---- */
  async function consistency() {
    var box = document.querySelector("[data-consistency]");
    if (!box || !window.isSecureContext || !window.crypto || !crypto.subtle) { return; }
    var vkey = box.getAttribute("data-vkey");
    var seen = null;
    try { seen = JSON.parse(window.localStorage.getItem("execflow-checkpoint") || "null"); } catch (e) { seen = null; }
    try {
      var answer = await getJSON("/audit/consistency?old=" + (seen ? seen.size : 0));
      var head = await openCheckpoint(answer.checkpoint, vkey);
      var remember = function () {
        try {
          window.localStorage.setItem("execflow-checkpoint", JSON.stringify({
            size: head.size, root: btoa(String.fromCharCode.apply(null, head.root)), vkey: vkey, at: new Date().toISOString()
          }));
        } catch (e) { /* private mode: nothing kept */ }
      };
      if (!seen || !seen.size) {
        box.textContent = "First check from this browser: signed checkpoint " + head.size + " remembered.";
        box.className = "ok"; remember(); return;
      }
      if (seen.vkey && seen.vkey !== vkey) { throw new Error("the log's signing key changed"); }
      if (answer.shrunk) { throw new Error("the log is smaller than the " + seen.size + " entries seen before"); }
      var ok = await consistent(seen.size, head.size, bytes(seen.root), head.root, answer.hashes.map(bytes));
      if (!ok) { throw new Error("checkpoint " + head.size + " does not extend checkpoint " + seen.size); }
      box.textContent = "Log unchanged since " + new Date(seen.at).toLocaleString() + ": checkpoint " + seen.size + " → " + head.size + ", proven consistent in your browser.";
      box.className = "ok"; remember();
    } catch (error) {
      box.textContent = "WARNING: the log does not extend what this browser saw" + (seen ? " on " + new Date(seen.at).toLocaleString() : "") + ": " + error.message;
      box.className = "bad alarm"; box.setAttribute("role", "alert");
    }
  }

  function start() {
    localTimes(document); countdowns(document); verifyButtons(document); consistency(); live();
    setInterval(function () { countdowns(document); }, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
