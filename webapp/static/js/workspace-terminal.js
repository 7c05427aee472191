// Terminal panel of the lab workspace: a shell in the running app over a WebSocket, drawn by
// the vendored xterm.js. Keys and sizes go up as JSON; the shell's output comes down as
// binary frames, and a last text frame {"closed": why} says why the terminal closed.
(function () {
  "use strict";

  var panel = document.getElementById("terminal");
  if (!panel || !window.archlabWorkspace || !window.Terminal) { return; }
  var openButton = document.getElementById("terminal-open");
  var closeButton = document.getElementById("terminal-close");
  var state = document.getElementById("terminal-state");
  var runStop = document.getElementById("run-stop");
  var term = null;
  var socket = null;
  var fit = null;

  function socketUrl() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + panel.dataset.url + "?csrf_token=" +
      encodeURIComponent(window.archlabWorkspace.csrf);
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); }
  }

  function ended(reason) {
    state.textContent = "Terminal closed: " + reason + ".";
    openButton.hidden = false;
    closeButton.hidden = true;
    socket = null;
  }

  function open() {
    if (term) { term.dispose(); }
    panel.hidden = false;
    term = new window.Terminal({ convertEol: false, cursorBlink: true, fontSize: 13,
                                 scrollback: 2000, screenReaderMode: true });
    fit = new window.FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(panel);
    fit.fit();
    state.textContent = "Connecting…";
    var closedWhy = null;
    socket = new WebSocket(socketUrl());
    socket.binaryType = "arraybuffer";
    socket.onopen = function () {
      state.textContent = "Terminal open.";
      openButton.hidden = true;
      closeButton.hidden = false;
      send({ resize: [term.rows, term.cols] });
      term.focus();
    };
    socket.onmessage = function (event) {
      if (typeof event.data === "string") {
        closedWhy = JSON.parse(event.data).closed;
      } else {
        term.write(new Uint8Array(event.data));
      }
    };
    socket.onclose = function () {
      ended(closedWhy || "the connection to the server was lost (is the run still up?)");
    };
    // Esc then Tab leaves the terminal, as in the editor (Tab alone completes in the shell).
    var escaped = false;
    term.attachCustomKeyEventHandler(function (event) {
      if (event.type !== "keydown") { return true; }
      var leave = escaped && event.key === "Tab";
      escaped = event.key === "Escape";
      return !leave;
    });
    term.onData(function (data) { send({ input: data }); });
    term.onResize(function (size) { send({ resize: [size.rows, size.cols] }); });
  }

  openButton.addEventListener("click", open);
  closeButton.addEventListener("click", function () { if (socket) { socket.close(); } });
  window.addEventListener("resize", function () { if (fit && socket) { fit.fit(); } });
  // The terminal can open while a run is up: the Run panel enables its Stop button then.
  new MutationObserver(function () {
    openButton.disabled = runStop.disabled;
  }).observe(runStop, { attributes: true, attributeFilter: ["disabled"] });
  openButton.disabled = runStop.disabled;
})();
