// The lab workspace's editor: the draft's files in CodeMirror 6 (the vendored ArchlabEditor
// bundle, built from scripts/editor-bundle), autosaved as the learner types. Every change goes
// to the server (JSON + CSRF header); the server's answer is the new file set.
(function () {
  "use strict";

  var root = document.getElementById("workspace");
  if (!root) { return; }
  var csrf = root.dataset.csrf;
  var draftUrl = root.dataset.draftUrl;
  var SAVE_DELAY_MS = 600;

  var files = {};          // path -> text, as last loaded or saved
  var states = {};         // path -> EditorState (its text and its own undo history)
  var current = null;      // path shown in the editor
  var pending = {};        // path -> timer of an unsaved change
  var saving = Promise.resolve();

  function el(id) { return document.getElementById(id); }

  var editor = window.ArchlabEditor.create(el("editor"), changed, "editor-keys");

  function showError(message) { el("draft-error").textContent = message || ""; }

  function status(text) { el("save-status").textContent = text; }

  function request(url, options) {
    options = options || {};
    var headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
    var body = options.form;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    return fetch(url, { method: options.method || "POST", headers: headers, body: body,
                        credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          return { ok: response.ok, status: response.status,
                   data: { error: "The server answered " + response.status + "." } };
        }
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
  }

  function load(newFiles) {
    var shown = newFiles[current] !== undefined ? current : null;
    files = newFiles;
    states = {};
    current = null;
    Object.keys(files).forEach(function (path) {
      states[path] = editor.stateFor(path, files[path]);
    });
    var paths = Object.keys(files).sort();
    open(shown !== null ? shown : (paths.indexOf("app.py") >= 0 ? "app.py" : paths[0]));
  }

  function renderList() {
    var list = el("file-list");
    list.textContent = "";
    Object.keys(files).sort().forEach(function (path) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = path;
      button.className = "file" + (path === current ? " current" : "");
      button.setAttribute("aria-current", path === current ? "true" : "false");
      button.addEventListener("click", function () { open(path); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  // The text of `path` as the learner sees it (the view holds the current file's latest state).
  function textOf(path) {
    if (path === current) { return editor.view.state.doc.toString(); }
    return states[path] ? states[path].doc.toString() : null;
  }

  function open(path) {
    if (path === undefined || states[path] === undefined) { return; }
    if (current !== null && states[current] !== undefined) { states[current] = editor.view.state; }
    current = path;
    editor.view.setState(states[path]);
    el("current-file").textContent = path;
    renderList();
  }

  function applyAnswer(answer) {
    if (!answer.ok) {
      showError(answer.data.message || answer.data.error || "The change was not saved.");
      return false;
    }
    showError("");
    load(answer.data.files);
    return true;
  }

  function save(path) {
    delete pending[path];
    var content = textOf(path);
    if (content === null) { return saving; }
    status("Saving…");
    saving = saving.then(function () {
      return request(draftUrl + "/file", { json: { path: path, content: content } });
    }).then(function (answer) {
      if (answer.ok) { files[path] = content; status("Saved"); showError(""); }
      else { status("Not saved"); showError(answer.data.message || answer.data.error || "Not saved."); }
    }, function () { status("Not saved: the server cannot be reached"); });
    return saving;
  }

  // Save every change still waiting for its timer; Run and Grade call this first.
  function flush() {
    Object.keys(pending).forEach(function (path) {
      clearTimeout(pending[path]);
      save(path);
    });
    return saving;
  }

  function changed(path) {
    clearTimeout(pending[path]);
    status("Editing…");
    pending[path] = setTimeout(function () { save(path); }, SAVE_DELAY_MS);
  }

  function change(url, json) {
    return flush().then(function () { return request(url, { json: json }); }).then(applyAnswer);
  }

  function wantedPath() {
    var path = el("file-path").value.trim();
    if (!path) { showError("Type a file path first."); }
    return path;
  }

  el("add-file").addEventListener("click", function () {
    var path = wantedPath();
    if (!path) { return; }
    if (files[path] !== undefined) { open(path); return; }
    change(draftUrl + "/file", { path: path, content: "" }).then(function (ok) {
      if (ok) { open(path); el("file-path").value = ""; editor.view.focus(); }
    });
  });

  el("rename-file").addEventListener("click", function () {
    var path = wantedPath();
    if (!path || current === null) { return; }
    var from = current;
    change(draftUrl + "/rename", { path: from, to: path }).then(function (ok) {
      if (ok) { open(path); el("file-path").value = ""; }
    });
  });

  el("delete-file").addEventListener("click", function () {
    if (current === null || !window.confirm("Delete " + current + "?")) { return; }
    var path = current;
    current = null;
    change(draftUrl + "/delete", { path: path });
  });

  el("reset-draft").addEventListener("click", function () {
    if (!window.confirm("Throw away your changes and start again from the starter files?")) { return; }
    Object.keys(pending).forEach(function (path) { clearTimeout(pending[path]); });
    pending = {};
    request(this.dataset.url, {}).then(applyAnswer);
  });

  el("upload-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = el("upload-archive");
    if (!input.files.length) { showError("Choose a .zip or .tar.gz file first."); return; }
    var count = Object.keys(files).length;
    if (!window.confirm("Replace your " + count + (count === 1 ? " file" : " files") +
                        " with the files of " + input.files[0].name + "? Files that are not " +
                        "in the archive are deleted.")) { return; }
    var form = new FormData();
    form.append("archive", input.files[0]);
    var url = this.action;
    flush().then(function () { return request(url, { form: form }); }).then(function (answer) {
      if (applyAnswer(answer)) { input.value = ""; status("Uploaded"); }
    });
  });

  el("grade-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = this;
    flush().then(function () { form.submit(); });
  });

  window.archlabWorkspace = { csrf: csrf, request: request, flush: flush };

  request(draftUrl, { method: "GET" }).then(applyAnswer);
})();
