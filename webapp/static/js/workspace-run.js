// Run panel of the lab workspace: start the saved draft in a sandbox, poll its state and log,
// count down to the idle stop, send console requests to the app, stop it.
// Text from the app (log, response) is only ever set as textContent, never as HTML.
(function () {
  "use strict";

  var root = document.getElementById("workspace");
  if (!root || !window.archlabWorkspace) { return; }
  var ws = window.archlabWorkspace;
  var runUrl = root.dataset.runUrl;
  var POLL_MS = 1000;
  var pollTimer = null;
  var tickTimer = null;
  var expiresAt = null;    // Date.now() at which the server will stop the session

  function el(id) { return document.getElementById(id); }

  function setRunning(running) {
    el("run-stop").disabled = !running;
    el("console-send").disabled = !running;
    el("run-start").textContent = running ? "Restart" : "Run";
  }

  function showLog(text) {
    var log = el("run-log");
    var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = text;
    if (atBottom) { log.scrollTop = log.scrollHeight; }
  }

  function tick() {
    if (expiresAt === null) { el("run-countdown").textContent = ""; return; }
    var left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    el("run-countdown").textContent = "stops in " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function show(data) {
    if (data.state === "running") {
      setRunning(true);
      expiresAt = Date.now() + data.expires_in * 1000;
      el("run-state").textContent = "Running on the " + data.backend + " sandbox." +
        (data.backend === "process" ? " (Local processes: weaker isolation than Docker.)" : "");
      el("run-error").textContent = data.problem ? "Your app stopped: " + data.problem : "";
      showLog(data.log);
      if (tickTimer === null) { tickTimer = setInterval(tick, 1000); }
      tick();
      schedule();
    } else {
      setRunning(false);
      expiresAt = null;
      tick();
      el("run-state").textContent = data.reason ? "Stopped: " + data.reason + "." : "Not running.";
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  function schedule() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, POLL_MS);
  }

  function poll() {
    ws.request(runUrl, { method: "GET" }).then(function (answer) {
      if (answer.ok) { show(answer.data); } else { schedule(); }
    }, schedule);
  }

  el("run-start").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    el("run-error").textContent = "";
    el("run-state").textContent = "Starting your app…";
    ws.flush().then(function () {
      var why = ws.notSaved();
      if (why) { return { ok: false, data: { error: "Not started: " + why + "." } }; }
      return ws.request(runUrl, {});
    }).then(function (answer) {
      button.disabled = false;
      if (answer.ok) { show(answer.data); return; }
      show({ state: "stopped", reason: "" });
      el("run-error").textContent = answer.data.message || answer.data.error || "The run did not start.";
      if (answer.data.log) { showLog(answer.data.log); }
    }, function () {
      button.disabled = false;
      el("run-error").textContent = "The server cannot be reached.";
    });
  });

  el("run-stop").addEventListener("click", function () {
    ws.request(this.dataset.url, {}).then(function (answer) { show(answer.data); });
  });

  function showResponse(data) {
    if (data.error) {
      el("response-status").textContent = data.error;
      el("response-headers").textContent = "";
      el("response-body").textContent = "";
      return;
    }
    el("response-status").textContent = data.status + " " + data.reason + "  (" + data.elapsed_ms + " ms)";
    el("response-headers").textContent = data.headers.map(function (pair) {
      return pair[0] + ": " + pair[1];
    }).join("\n");
    var body = data.body;
    try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* not JSON: as is */ }
    el("response-body").textContent = body + (data.truncated ? "\n… (cut: the answer is larger)" : "");
  }

  el("console-form").addEventListener("submit", function (event) {
    event.preventDefault();
    el("response-status").textContent = "Sending…";
    ws.request(this.dataset.url, { json: {
      method: el("console-method").value, path: el("console-path").value,
      headers: el("console-headers").value, body: el("console-body").value
    } }).then(function (answer) {
      showResponse(answer.data);
      poll();
    }, function () { showResponse({ error: "The server cannot be reached." }); });
  });

  poll();
})();
