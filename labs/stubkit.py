"""stubkit: the small helper a lab's stub service is written with (docs/authoring.md).

A lab's stub (a slow origin, a payment provider) is a JSON HTTP service the grader starts
next to the learner's app. Every stub needs the same parts: routes with path parameters,
JSON in and out, fault knobs the checks set over HTTP ("fail the next 2 charges"), a record
of the calls it received that the checks read, and a threaded server whose queues are
bounded. They live here once, so a new lab's stub is its routes and its state.

The sandbox copies this file next to a `kind = "process"` stub's script (labs/topology.py),
so the stub says `from stubkit import Stub`. Standard library only: stubs run on the lab
runtime image's Python 3.11 with nothing installed.

Every route with an `action` goes through the knobs and the record; the built-in admin
endpoints (a lab's own routes win over them) are

    GET  /health                 {"status": "ok"}
    GET  /admin/faults           the knobs of every action
    POST /admin/faults           {"action": "charge", "fail_next": 2, ...}: merge knobs
    POST /admin/reset            every knob back to its default (the record stays)
    GET  /admin/requests         {"requests": [...]}: the calls received, oldest first
    POST /admin/requests/clear   forget the calls received
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# what each knob does to the next calls of one action (README tables can quote this)
KNOBS = {
    "fail_next": "the next N calls answer fail_status and do nothing",
    "fail_status": "the status of an injected failure (default 503)",
    "fail_percent": "each call fails this percent of the time (0-100)",
    "down": "1: every call fails until set back to 0",
    "delay_next": "the next N calls wait delay_ms before they work",
    "delay_ms": "how long a delayed call waits",
    "latency_ms": "every call waits this long before it works",
    "crash_next": "the next N calls do the work, then drop the connection without an answer",
}
MAX_BODY = 1 << 20          # bytes of a request body; a longer one answers 413
RECORD_LIMIT = 5000         # calls kept in the record, oldest dropped first
MAX_THREADS = 256           # requests handled at once; more wait in the listen queue
# A thread per connection, and an idle keep-alive connection keeps its thread: at the default
# 8 MB stack, 31 threads fill a 256 MB sandbox (stacks count toward its memory limit).
THREAD_STACK_BYTES = 512 * 1024
Answer = tuple  # (status, payload) or (status, payload, {header: value})


class BadRequest(ValueError):
    """The request breaks the stub's contract; answered 400 with the message as detail."""


class Call:
    """One request as a handler sees it: method, path, path `params`, `query` (name to list
    of values), `headers`, `body` (the JSON object sent, {} when none; reading it raises
    BadRequest for anything else), its `action` and `delay` (seconds the knobs made it wait;
    a route with own_delay waits them itself)."""

    def __init__(self, method: str, path: str, params: dict[str, str],
                 query: dict[str, list[str]], headers: Any, raw: bytes) -> None:
        self.method, self.path, self.params, self.query = method, path, params, query
        self.headers, self.raw = headers, raw
        self.action: str | None = None
        self.delay = 0.0
        self._body: dict[str, Any] | None = None

    @property
    def body(self) -> dict[str, Any]:
        if self._body is None:
            try:
                body = json.loads(self.raw or b"{}")
            except ValueError:
                raise BadRequest("the body must be JSON") from None
            if not isinstance(body, dict):
                raise BadRequest("the body must be a JSON object")
            self._body = body
        return self._body


class Knobs:
    """The knobs of each action, counted down as calls use them (thread-safe)."""

    def __init__(self, actions: list[str], defaults: dict[str, int] | None = None,
                 rng: random.Random | None = None) -> None:
        self.actions = tuple(actions)
        self.defaults = {name: 0 for name in KNOBS} | {"fail_status": 503} | (defaults or {})
        self._check(self.defaults)
        self._lock = threading.Lock()
        self._random = rng or random.Random()
        self._knobs: dict[str, dict[str, int]] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._knobs = {action: dict(self.defaults) for action in self.actions}

    def set(self, action: Any, values: dict[str, Any]) -> None:
        """Merge `values` into the action's knobs; ValueError names a bad action, knob or value."""
        if action not in self._knobs:
            raise ValueError(f"unknown action {action!r}; expected one of {list(self.actions)}")
        self._check(values)
        with self._lock:
            self._knobs[action].update(values)

    @staticmethod
    def _check(values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in KNOBS:
                raise ValueError(f"unknown knob {name!r}; expected one of {list(KNOBS)}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"knob {name!r} must be a non-negative integer, got {value!r}")
        if values.get("fail_percent", 0) > 100:
            raise ValueError("knob 'fail_percent' must be at most 100")
        if "fail_status" in values and not 100 <= values["fail_status"] <= 599:
            raise ValueError("knob 'fail_status' must be an HTTP status (100-599)")

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {action: dict(knobs) for action, knobs in self._knobs.items()}

    def take(self, action: str) -> tuple[int | None, float, bool]:
        """Consume one call's share: (status to fail with or None, seconds to wait, crash)."""
        with self._lock:
            knobs = self._knobs[action]
            if knobs["fail_next"] > 0 or knobs["down"] or (
                    knobs["fail_percent"] and self._random.randrange(100) < knobs["fail_percent"]):
                knobs["fail_next"] = max(0, knobs["fail_next"] - 1)
                return knobs["fail_status"], 0.0, False
            delay = knobs["latency_ms"] / 1000
            if knobs["delay_next"] > 0:
                knobs["delay_next"] -= 1
                delay += knobs["delay_ms"] / 1000
            crash = knobs["crash_next"] > 0
            if crash:
                knobs["crash_next"] -= 1
            return None, delay, crash


class Record:
    """The calls received, at most `limit` (oldest dropped), each entry
    {"action", <the route's fields>, "at", "outcome", "answered_at"}: `outcome` is "pending"
    while the call runs, then the status answered or "dropped"; times are Unix seconds."""

    def __init__(self, limit: int = RECORD_LIMIT) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)

    def arrived(self, action: str, fields: dict[str, Any]) -> dict[str, Any]:
        entry = {"action": action, **fields, "at": time.time(), "outcome": "pending",
                 "answered_at": None}
        with self._lock:
            self._entries.append(entry)
        return entry

    def settle(self, entry: dict[str, Any], outcome: int | str) -> None:
        """The call's outcome, stamped just before its answer goes out (so a call that
        depends on the answer arrives after `answered_at`)."""
        with self._lock:
            entry["outcome"], entry["answered_at"] = outcome, time.time()

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Route:
    """METHOD /path/{param}: a handler, and (with an action) its knobs and record fields."""

    def __init__(self, method: str, pattern: str, handler: Callable[[Call], Answer],
                 action: str | None, record: Callable[[Call], dict[str, Any]] | None,
                 own_delay: bool) -> None:
        self.method, self.handler, self.action = method.upper(), handler, action
        self.record, self.own_delay = record, own_delay
        self.regex = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
                                + "$")

    def match(self, method: str, path: str) -> dict[str, str] | None:
        found = self.regex.match(path) if method == self.method else None
        if found is None:
            return None
        params = {name: unquote(value) for name, value in found.groupdict().items()}
        return None if any("/" in value for value in params.values()) else params


class Stub:
    """A JSON HTTP stub: declare routes with `@stub.route(...)`, then `stub.serve()`.

    `latency_ms` is every action's default latency (a slow origin); `quiet` keeps the log
    free of one line per request; `record_limit` bounds the record of calls.
    """

    def __init__(self, name: str, *, latency_ms: int = 0, quiet: bool = False,
                 record_limit: int = RECORD_LIMIT, health: dict[str, Any] | None = None) -> None:
        self.name, self.quiet = name, quiet
        self.knob_defaults = {"latency_ms": latency_ms}
        self.health = {"status": "ok", **(health or {})}
        self.record = Record(record_limit)
        self.routes: list[Route] = []
        self._knobs: Knobs | None = None
        self.builtins = [Route(m, p, h, None, None, False) for m, p, h in (
            ("GET", "/health", lambda call: (200, self.health)),
            ("GET", "/admin/faults", lambda call: (200, self.knobs.snapshot())),
            ("POST", "/admin/faults", self._set_faults),
            ("POST", "/admin/reset", self._reset),
            ("GET", "/admin/requests", lambda call: (200, {"requests": self.record.entries()})),
            ("POST", "/admin/requests/clear", self._clear))]

    def route(self, method: str, pattern: str, *, action: str | None = None,
              record: Callable[[Call], dict[str, Any]] | None = None,
              own_delay: bool = False) -> Callable[[Callable[[Call], Answer]], Callable]:
        """Register the decorated handler for METHOD pattern (`{name}` matches one path
        segment, unquoted, into call.params). With `action` the call is recorded (the fields
        `record(call)` returns, else method and path) and suffers that action's knobs; the
        stub waits its delay before the handler unless `own_delay` (then the handler waits
        call.delay where it must). The handler answers (status, payload[, headers])."""

        def register(handler: Callable[[Call], Answer]) -> Callable[[Call], Answer]:
            if self._knobs is not None:
                raise RuntimeError("routes are declared before the stub serves")
            self.routes.append(Route(method, pattern, handler, action, record, own_delay))
            return handler

        return register

    @property
    def knobs(self) -> Knobs:
        if self._knobs is None:
            actions = dict.fromkeys(r.action for r in self.routes if r.action is not None)
            self._knobs = Knobs(list(actions), self.knob_defaults)
        return self._knobs

    def _set_faults(self, call: Call) -> Answer:
        values = dict(call.body)
        try:
            self.knobs.set(values.pop("action", None), values)
        except ValueError as problem:
            raise BadRequest(str(problem)) from None
        return 200, self.knobs.snapshot()

    def _reset(self, call: Call) -> Answer:
        self.knobs.reset()
        return 200, self.knobs.snapshot()

    def _clear(self, call: Call) -> Answer:
        self.record.clear()
        return 200, {"requests": []}

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in (*self.routes, *self.builtins):
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def server(self, host: str, port: int) -> ThreadingHTTPServer:
        """The bound server (not yet serving); serve() runs it, tests start it in a thread."""
        self.knobs  # noqa: B018 - fixes the actions before the first request
        return StubServer((host, port), type("Handler", (StubHandler,), {"stub": self}))

    def serve(self) -> None:
        """Listen on $HOST (default every interface, as in a container):$PORT until killed."""
        host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 - a container's port
        threading.stack_size(THREAD_STACK_BYTES)
        server = self.server(host, int(os.environ.get("PORT", "8000")))
        print(f"{self.name} listening on port {server.server_address[1]}", flush=True)
        server.serve_forever()


class StubServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_THREADS at once (the accept loop waits for a
    free one), and a listen queue long enough for a grader's burst of 200 connections."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        self.slots = threading.BoundedSemaphore(MAX_THREADS)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class StubHandler(BaseHTTPRequestHandler):
    """Dispatches each request to its route through the knobs and the record."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed ACK
    stub: Stub

    def log_message(self, format: str, *args: Any) -> None:
        if not self.stub.quiet:
            sys.stdout.write(f"{self.stub.name} {format % args}\n")
            sys.stdout.flush()

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_raw(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            raise BadRequest(f"Content-Length must be a number of bytes up to {MAX_BODY}")
        return self.rfile.read(length) if length else b""

    def handle_any(self) -> None:
        url = urlsplit(self.path)
        found = self.stub.find(self.command, url.path)
        if found is None:
            self.answer(404, {"error": "not_found"})
            return
        route, params = found
        try:
            call = Call(self.command, url.path, params, parse_qs(url.query), self.headers,
                        self.read_raw())
            if route.action is None:
                self.run(route, call, None)
                return
            call.action = route.action
            fields = route.record(call) if route.record else {"method": call.method,
                                                              "path": call.path}
        except BadRequest as problem:  # before the call counts: not recorded, no knobs
            self.answer(400, {"error": "bad_request", "detail": str(problem)})
            return
        entry = self.stub.record.arrived(route.action, fields)
        fail_status, call.delay, crash = self.stub.knobs.take(route.action)
        if fail_status is not None:
            self.stub.record.settle(entry, fail_status)
            self.answer(fail_status, {"error": "injected_failure", "status": fail_status})
            return
        if not route.own_delay:
            time.sleep(call.delay)
        self.run(route, call, entry, crash)

    def run(self, route: Route, call: Call, entry: dict[str, Any] | None,
            crash: bool = False) -> None:
        """The handler's answer (a BadRequest is a 400, any other error a 500 with its
        traceback in the log); with `crash`, a handler that worked gets no answer at all."""
        try:
            status, payload, *headers = route.handler(call)
        except BadRequest as problem:
            status, payload, headers = 400, {"error": "bad_request", "detail": str(problem)}, []
            crash = False
        except Exception as error:  # a bug in the stub: say so rather than hang the caller
            traceback.print_exc()
            status, payload, headers = 500, {"error": "stub_error", "detail": repr(error)}, []
            crash = False
        if entry is not None:
            self.stub.record.settle(entry, "dropped" if crash else status)
        if crash:
            self.close_connection = True
            return
        try:
            self.answer(status, payload, headers[0] if headers else None)
        except OSError:  # the caller is gone
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any
