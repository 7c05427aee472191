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
  var versions = {};       // path -> the server's version of it, sent back with a save
  var stale = null;        // path another tab or window saved since this page loaded it
  var inFlight = 0;        // saves sent and not answered yet
  var failed = {};         // path -> true while its last save was not taken
  var states = {};         // path -> EditorState (its text and its own undo history)
  var current = null;      // path shown in the editor
  var pending = {};        // path -> timer of an unsaved change
  var unsaved = {};        // path -> true while its latest text is not known to be saved
  var saving = Promise.resolve();
  // A save this small goes out as a keepalive request, which the browser still delivers once
  // the page is left (its keepalive requests share 64 KiB); a larger one makes leaving ask.
  var KEEPALIVE_BYTES = 24 * 1024;

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
    function send(keepalive) {
      return fetch(url, { method: options.method || "POST", headers: headers, body: body,
                          credentials: "same-origin", keepalive: keepalive });
    }
    // keepalive requests share 64 KiB in flight: past that the browser refuses one at once,
    // and it goes again as an ordinary request
    var sent = options.keepalive ? send(true).catch(function () { return send(false); })
                                 : send(false);
    return sent
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
    showStale(null);
    failed = {};  // every file is the server's again
    versions = answer.data.versions || {};
    load(answer.data.files);
    return true;
  }

  function showStale(path) {
    stale = path;
    el("stale-file").hidden = path === null;
  }

  // The body of a save: with the version it changed, so that the server refuses (409) to
  // overwrite what another tab or window saved meanwhile; `force` saves over it.
  function saveBody(path, content, force) {
    var body = { path: path, content: content };
    if (!force && versions[path] !== undefined) { body.base = versions[path]; }
    return body;
  }

  function small(content) { return new Blob([content]).size <= KEEPALIVE_BYTES; }

  function save(path, force) {
    delete pending[path];
    var content = textOf(path);
    if (content === null) { return saving; }
    unsaved[path] = true;
    status("Saving…");
    saving = saving.then(function () {
      if (stale === path && !force) { return { ok: false, status: 409, data: {} }; }
      inFlight += 1;
      return request(draftUrl + "/file", { json: saveBody(path, content, force),
                                           keepalive: small(content) })
        .finally(function () { inFlight -= 1; });
    }).then(function (answer) {
      if (answer.ok) {
        files[path] = content;
        versions[path] = (answer.data.versions || {})[path];
        if (textOf(path) === content) { delete unsaved[path]; }
        delete failed[path];
        if (stale === path) { showStale(null); }
        status("Saved");
        showError("");
      } else {
        failed[path] = true;
        status("Not saved");
        if (answer.status === 409) { showStale(path); }
        if (answer.data.error || answer.data.message || answer.status !== 409) {
          showError(answer.data.message || answer.data.error || "Not saved.");
        }
      }
    }, function () { failed[path] = true; status("Not saved: the server cannot be reached"); });
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

  // Why the draft on the server is not what this page shows, once flushed (else null): Run and
  // Grade take the server's draft, so they refuse rather than use another text than the shown.
  function notSaved() {
    if (stale !== null) {
      return stale + " was changed in another tab or window: save this page's version over " +
        "it, or reload the page";
    }
    var lost = Object.keys(failed).filter(function (path) { return textOf(path) !== null; });
    return lost.length ? "your changes to " + lost.sort().join(", ") + " are not saved" : null;
  }

  function changed(path) {
    clearTimeout(pending[path]);
    unsaved[path] = true;
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

  el("overwrite-file").addEventListener("click", function () {
    if (stale === null) { return; }
    var path = stale;
    showStale(null);
    save(path, true);
  });

  el("reset-draft").addEventListener("click", function () {
    if (!window.confirm("Throw away your changes and start again from the starter files?")) { return; }
    Object.keys(pending).forEach(function (path) { clearTimeout(pending[path]); });
    pending = {};
    unsaved = {};
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
    flush().then(function () {
      var why = notSaved();
      if (why) { showError("Not graded: " + why + "."); return; }
      form.submit();
    });
  });

  // Leaving the page (a link, Back, closing the tab) cancels the autosave's timer and any
  // ordinary request still on its way: the edits waiting for their timer are sent now, as
  // keepalive requests, and a change that may still be lost (the server did not take it, or
  // it is too large for keepalive) makes the browser ask before the page goes.
  function sendBeforeLeaving() {
    Object.keys(pending).forEach(function (path) {
      var content = textOf(path);
      if (content === null || !small(content)) { return; }
      clearTimeout(pending[path]);
      delete pending[path];
      // not behind `saving`: a chained request would wait for one the page may not outlive
      // with a save of it in flight, the version known here is already old: save over it
      request(draftUrl + "/file", { json: saveBody(path, content, inFlight > 0),
                                    keepalive: true });
    });
    flush();
  }

  window.addEventListener("beforeunload", function (event) {
    sendBeforeLeaving();
    var atRisk = Object.keys(unsaved).some(function (path) {
      var content = textOf(path);
      return content !== null && !small(content);
    }) || /^Not saved/.test(el("save-status").textContent);
    if (atRisk) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("pagehide", sendBeforeLeaving);

  window.archlabWorkspace = { csrf: csrf, request: request, flush: flush, notSaved: notSaved };

  request(draftUrl, { method: "GET" }).then(applyAnswer);
})();
