"""/labs/<lab>/run/terminal: a shell in the learner's running app, over a WebSocket.

Same rules as Run: only the learner whose run it is, and only while it runs; the handshake
must come from this site's own pages (its Origin) and carry the page's CSRF token, since a
browser sends the session cookie on a WebSocket handshake from any site. The shell is the
sandbox's (`Session.open_shell`): the app's container and user on Docker, a pty in the
app's folder with its limits and scrubbed environment on the process sandbox. The terminal
closes, and its shell is killed, when the Run stops, after TERMINAL_IDLE_S without typing,
or once it printed TERMINAL_OUTPUT_KB; the page is told why.

Frames: the browser sends JSON text ({"input": "..."} or {"resize": [rows, cols]}); the
server sends the shell's output as binary frames and, last, {"closed": "<why>"} as text.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_wtf.csrf import ValidationError, validate_csrf
from simple_websocket import ConnectionClosed, Server

from sandboxes import SandboxError
from webapp.auth.decorators import login_required
from webapp.db import get_session
from webapp.workspace.lookup import lab_or_404
from webapp.workspace.runs import LiveRun, registry, setting

bp = Blueprint("terminal", __name__)
MAX_MESSAGE_BYTES = 64 * 1024
PING_S = 25  # keeps idle proxies from dropping a quiet terminal
POLL_S = 0.25
PUMP_WAIT_S = 5  # how long the output thread may still be sending once the terminal closed


def _refusal(status: int, error: str) -> Response:
    response = jsonify(error=error)
    response.status_code = status
    return response


class _DaemonThread(threading.Thread):
    """simple_websocket's reader thread, made a daemon. Once the view returns, gunicorn closes
    the socket under the thread's select, which then sleeps until its next ping (PING_S);
    as an ordinary thread it held a stopping worker's exit that long."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, daemon=True, **kwargs)


def _handshake_problem() -> Response | None:
    """Why this handshake may not open a terminal (answered over HTTP), else None."""
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return _refusal(400, "This address speaks WebSocket: open the terminal from the lab page.")
    scheme = "https" if request.scheme in ("https", "wss") else "http"  # werkzeug says ws(s)
    own = {f"{scheme}://{request.host}", (current_app.config.get("SITE_URL") or "").rstrip("/")}
    if request.headers.get("Origin") not in own:
        return _refusal(403, "The terminal opens only from this site's own pages.")
    try:
        validate_csrf(request.args.get("csrf_token"))
    except ValidationError:
        return _refusal(403, "The page's security token is missing or old: reload the page.")
    return None


class _Hijacked(Response):
    """What the view returns once the WebSocket is over. Gunicorn's worker is told to write
    nothing; werkzeug always writes a response, so its socket is shut first (the write then
    fails as a dropped connection) instead of sending HTTP text into the closed WebSocket."""

    def __init__(self, ws: Server) -> None:
        super().__init__()
        self.ws = ws

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self.ws.mode == "gunicorn":
            raise StopIteration
        if self.ws.mode == "werkzeug":
            with contextlib.suppress(OSError):
                self.ws.sock.shutdown(socket.SHUT_RDWR)
            return super().__call__(environ, start_response)
        return []


# Werkzeug matches a WebSocket handshake only to a rule marked websocket=True, and a plain
# GET only to one that is not: both lead here, so a plain GET gets the same guards and a
# clear answer instead of werkzeug's bare 400.
@bp.get("/labs/<lab_id>/run/terminal", websocket=True)
@bp.get("/labs/<lab_id>/run/terminal")
@login_required
def open_terminal(lab_id: str):  # type: ignore[no-untyped-def]
    lab_or_404(lab_id)
    problem = _handshake_problem()
    if problem is not None:
        return problem
    try:
        ws = Server(request.environ, max_message_size=MAX_MESSAGE_BYTES, ping_interval=PING_S,
                    thread_class=_DaemonThread)
    except RuntimeError:  # waitress and other servers that never hand the socket over
        return _refusal(501, "This web server cannot hold a WebSocket: the terminal needs "
                             "`archlab serve` or gunicorn's gthread worker "
                             "(see docs/architecture.md).")
    try:
        reason = _session(ws, lab_id)
    except ConnectionClosed:
        reason = "the browser closed the terminal"
    except Exception:  # the socket is the browser's now: no error page can reach it
        current_app.logger.exception("terminal of %s in %s failed", g.user.id, lab_id)
        reason = "the terminal failed on the server"
    # OSError: the bridge shut the socket on a browser that stopped reading
    with contextlib.suppress(ConnectionClosed, OSError):
        ws.send(json.dumps({"closed": reason}))
    with contextlib.suppress(ConnectionClosed, OSError):
        ws.close()
    return _Hijacked(ws)


def _session(ws: Server, lab_id: str) -> str:
    """Run the terminal until it ends; returns why it ended."""
    runs, user_id = registry(current_app), g.user.id
    get_session().close()  # no database connection held for the terminal's lifetime
    run = runs.get(user_id)
    if run is None or run.lab.id != lab_id:
        return "Nothing is running here: press Run first, then open the terminal."
    try:
        shell = run.session.open_shell("app")
    except SandboxError as exc:
        return f"No shell: {exc}. Press Run again."
    try:
        return Bridge(ws, shell, run, setting(current_app, "TERMINAL_IDLE_S"),
                      int(setting(current_app, "TERMINAL_OUTPUT_KB") * 1024)).until_closed(
            lambda: runs.ended.get(user_id) or "the run ended")
    finally:
        shell.close()


class Bridge:
    """Copies the shell's output to the WebSocket (a thread) and the browser's keys to the
    shell (the request's thread), until one side ends or a limit is reached."""

    def __init__(self, ws: Server, shell: Any, run: LiveRun, idle_s: float,
                 output_cap: int) -> None:
        self.ws, self.shell, self.run = ws, shell, run
        self.idle_s, self.output_cap = idle_s, output_cap
        self.done = threading.Event()
        self.reason = ""

    def until_closed(self, run_end_reason: Any) -> str:
        pump = threading.Thread(target=self._pump, args=(run_end_reason,), daemon=True,
                                name="terminal-output")
        pump.start()
        last_key = time.monotonic()
        try:
            while not self.done.is_set():
                message = self.ws.receive(timeout=POLL_S)
                if message is None:
                    if time.monotonic() - last_key > self.idle_s:
                        self._end(f"closed after {self.idle_s:g} s without typing")
                    continue
                if self._apply(message):
                    last_key = time.monotonic()
                    self.run.touch()  # typing keeps the Run alive, as the console does
        except ConnectionClosed:
            self._end("the browser closed the terminal")
        finally:
            self.done.set()
            self.shell.close()
            pump.join(timeout=PUMP_WAIT_S)
            if pump.is_alive():  # stuck sending to a browser that reads nothing: cut it off
                self.reason = self.reason or "the browser stopped reading the terminal"
                with contextlib.suppress(OSError):
                    self.ws.sock.shutdown(socket.SHUT_RDWR)
        return self.reason

    def _end(self, reason: str) -> None:
        if not self.done.is_set():
            self.reason = reason
            self.done.set()

    def _apply(self, message: str | bytes) -> bool:
        """Type or resize as the browser asked; True for keys typed."""
        try:
            asked = json.loads(message)
        except ValueError:
            return False
        if not isinstance(asked, dict):
            return False
        if isinstance(asked.get("input"), str):
            self.shell.write(asked["input"].encode())
            return True
        size = asked.get("resize")
        if (isinstance(size, list) and len(size) == 2
                and all(isinstance(n, int) and 0 < n < 1000 for n in size)):
            self.shell.resize(*size)
        return False

    def _pump(self, run_end_reason: Any) -> None:
        sent = 0
        while not self.done.is_set():
            chunk = self.shell.read(POLL_S)
            if chunk is None:
                continue
            if chunk == b"":
                self._end("the shell exited" if self.run.alive else run_end_reason())
                return
            sent += len(chunk)
            if sent > self.output_cap:
                self._end(f"closed after printing more than {self.output_cap // 1024} KiB: "
                          "open a new terminal")
                return
            try:
                self.ws.send(chunk)
            except (ConnectionClosed, OSError):
                self._end("the browser closed the terminal")
                return
