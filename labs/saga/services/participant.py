"""A saga participant stub: `python3 services/participant.py inventory|payment|shipping`.

Listens on $PORT (on $HOST, by default every interface as in a container) and uses the
standard library only, so it runs on any Python 3.11.
Besides its business endpoints (README.md, "The services") it has admin endpoints the
grader and the learner use: fault knobs, stock levels, the ledger and a request log.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from books import ROLES, BadRequest
from knobs import Knobs

ROUTES = {
    ("POST", "/reservations"): "reserve",
    ("POST", "/charges"): "charge",
    ("POST", "/refunds"): "refund",
    ("POST", "/shipments"): "ship",
}
RELEASE_PREFIX, RELEASE_SUFFIX = "/reservations/", "/release"
REQUEST_LOG_SIZE = 5000


class Call:
    """What an operation needs from the request: body, key, path id, and its delay."""

    def __init__(self, body, key, path_order_id, delay):
        self.body, self.key, self.path_order_id, self.delay = body, key, path_order_id, delay


class Participant:
    """One role's books, knobs and request log."""

    def __init__(self, role):
        self.role = role
        self.books = ROLES[role]()
        self.knobs = Knobs(self.books.actions)
        self.log_lock = threading.Lock()
        self.requests = []

    def arrived(self, action, order_id, key):
        """Log a call as it arrives (outcome "pending"); the caller fills in the outcome."""
        entry = {"action": action, "order_id": order_id, "idempotency_key": key,
                 "at": time.time(), "outcome": "pending", "answered_at": None}
        with self.log_lock:
            self.requests.append(entry)
            del self.requests[:-REQUEST_LOG_SIZE]
        return entry

    def settle(self, entry, outcome):
        """Record the call's outcome and when it was decided (just before the answer goes
        out, so a later call that depends on the answer arrives after this time)."""
        with self.log_lock:
            entry["outcome"] = outcome
            entry["answered_at"] = time.time()


def action_of(method, path):
    """(action, order id from the path or None), or (None, None) for an unknown route."""
    if (method, path) in ROUTES:
        return ROUTES[(method, path)], None
    if method == "POST" and path.startswith(RELEASE_PREFIX) and path.endswith(RELEASE_SUFFIX):
        order_id = path[len(RELEASE_PREFIX):-len(RELEASE_SUFFIX)]
        if order_id and "/" not in order_id:
            return "release", order_id
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    participant = None

    def log_message(self, format, *args):
        sys.stdout.write(f"{self.participant.role} {format % args}\n")

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise BadRequest("the body must be JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body

    def do_GET(self):
        path, me = urlsplit(self.path).path, self.participant
        if path == "/health":
            self.answer(200, {"status": "ok", "role": me.role})
        elif path == "/admin/ledger":
            self.answer(200, me.books.ledger())
        elif path == "/admin/requests":
            with me.log_lock:
                requests = [dict(entry) for entry in me.requests]
            self.answer(200, {"requests": requests})
        elif path == "/admin/faults":
            self.answer(200, me.knobs.snapshot())
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        try:
            if path.startswith("/admin/"):
                self.admin(path, self.read_json())
            else:
                self.business(path)
        except BadRequest as problem:
            self.answer(400, {"error": "bad_request", "detail": str(problem)})

    def admin(self, path, body):
        me = self.participant
        if path == "/admin/faults":
            try:
                me.knobs.set(body.pop("action", None), body)
            except ValueError as problem:
                raise BadRequest(str(problem)) from None
            self.answer(200, me.knobs.snapshot())
        elif path == "/admin/reset":
            me.knobs.reset()
            self.answer(200, me.knobs.snapshot())
        elif path == "/admin/stock" and me.role == "inventory":
            me.books.set_stock(body)
            self.answer(200, me.books.ledger()["stock"])
        else:
            self.answer(404, {"error": "not_found"})

    def business(self, path):
        me = self.participant
        action, path_order_id = action_of("POST", path)
        if action not in me.knobs.actions:
            self.answer(404, {"error": "not_found"})
            return
        body = self.read_json()
        key = self.headers.get("Idempotency-Key")
        order_id = path_order_id or body.get("order_id")
        entry = me.arrived(action, order_id, key)
        fail_status, delay, crash = me.knobs.take(action)
        if fail_status is not None:
            me.settle(entry, fail_status)
            self.answer(fail_status, {"error": "injected_failure", "status": fail_status})
            return
        try:
            status, payload = getattr(me.books, action)(Call(body, key, path_order_id, delay))
        except BadRequest:
            me.settle(entry, 400)
            raise
        if crash:
            me.settle(entry, "dropped")
            self.close_connection = True
            return
        me.settle(entry, status)
        self.answer(status, payload)


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role not in ROLES:
        sys.exit(f"usage: participant.py {'|'.join(ROLES)}")
    Handler.participant = Participant(role)
    address = (os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000")))  # noqa: S104 - a container's port
    server = ThreadingHTTPServer(address, Handler)
    server.daemon_threads = True
    print(f"{role} listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
