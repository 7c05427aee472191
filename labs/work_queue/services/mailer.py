"""The mailer stub: `python3 services/mailer.py`, the slow outside service the worker calls.

Listens on $PORT (on $HOST, by default every interface as in a container) and uses the
standard library only. POST /send takes MAILER_LATENCY_MS and then "sends" the email: it
lands in the outbox, which is the effect the grader counts. Sends are idempotent by their
Idempotency-Key: a key seen before replays its first answer and sends nothing. Rules the
grader sets per address make sends to it fail, or hold their answer after the email went out,
and with hold_repeats hold a replayed answer too, so that no try of the email gets its 200
before the grader releases it (README.md, "The mailer").
"""

import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LATENCY_S = int(os.environ.get("MAILER_LATENCY_MS", "300")) / 1000
HOLD_LIMIT_S = 30.0      # a held answer is let go after this long, released or not
LOG_SIZE = 5000
RULE_NAMES = ("fail", "hold", "hold_repeats")


class BadRequest(ValueError):
    """The request does not follow the contract; answered with 400."""


def email_of(body):
    """The email in a /send body: to (an address), subject and body (strings)."""
    to, subject, text = body.get("to"), body.get("subject"), body.get("body")
    if not isinstance(to, str) or "@" not in to:
        raise BadRequest("to must be an email address")
    if not isinstance(subject, str) or not isinstance(text, str):
        raise BadRequest("subject and body must be strings")
    return {"to": to, "subject": subject, "body": text}


class Mailer:
    """The outbox, the answers given per Idempotency-Key, the rules and the request log."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outbox = []
        self.answers = {}          # Idempotency-Key -> the body of its first 200
        self.rules = {}            # address -> {"fail": status, "hold": bool, "hold_repeats": bool}
        self.releases = {}         # address -> Event set when its held answers may go
        self.requests = []

    def set_rule(self, body):
        to = body.get("to")
        if not isinstance(to, str) or "@" not in to:
            raise BadRequest("a rule needs the address it applies to in to")
        unknown = sorted(set(body) - {"to", *RULE_NAMES})
        if unknown:
            raise BadRequest(f"unknown rule {unknown[0]!r}; expected one of {list(RULE_NAMES)}")
        fail, hold = body.get("fail", 0), body.get("hold", False)
        hold_repeats = body.get("hold_repeats", False)
        if isinstance(fail, bool) or not isinstance(fail, int) or not (
                fail == 0 or 400 <= fail <= 599):
            raise BadRequest("fail must be an HTTP error status (400-599), or 0 for none")
        if not isinstance(hold, bool) or not isinstance(hold_repeats, bool):
            raise BadRequest("hold and hold_repeats must be true or false")
        if hold_repeats and not hold:
            raise BadRequest("hold_repeats holds repeats of a held send: it needs hold")
        with self.lock:
            self.rules[to] = {"fail": fail, "hold": hold, "hold_repeats": hold_repeats}
            if hold:
                self.releases[to] = threading.Event()
            return dict(self.rules[to])

    def release(self, to):
        """Let the held answers to `to` go, and hold no more."""
        with self.lock:
            self.rules.get(to, {})["hold"] = False
            released = self.releases.pop(to, None)
        if released is not None:
            released.set()

    def send(self, email, key):
        """(status, answer, held) for one send, after the mailer's latency."""
        entry = {"to": email["to"], "idempotency_key": key, "at": time.time(),
                 "outcome": "pending", "replayed": False}
        with self.lock:
            self.requests.append(entry)
            del self.requests[:-LOG_SIZE]
        time.sleep(LATENCY_S)
        with self.lock:
            rule = self.rules.get(email["to"], {})
            held = self.releases.get(email["to"]) if rule.get("hold") else None
            if key in self.answers:
                if not rule.get("hold_repeats"):
                    held = None
                entry.update(outcome="held" if held else 200, replayed=True)
                return 200, self.answers[key], held
            if rule.get("fail"):
                entry["outcome"] = rule["fail"]
                return rule["fail"], {"error": "mailbox_unavailable",
                                      "detail": f"sending to {email['to']} failed"}, None
            sent = {"message_id": f"m-{uuid.uuid4().hex[:16]}", **email,
                    "idempotency_key": key, "at": time.time()}
            self.outbox.append(sent)
            answer = {"message_id": sent["message_id"], "to": email["to"]}
            self.answers[key] = answer
            entry["outcome"] = "held" if held else 200
        return 200, answer, held

    def snapshot(self, what, addresses):
        """The outbox or the request log; only entries to `addresses` when some are given."""
        with self.lock:
            return [dict(entry) for entry in getattr(self, what)
                    if not addresses or entry["to"] in addresses]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mailer = None

    def log_message(self, format, *args):
        sys.stdout.write(f"mailer {format % args}\n")

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) if length else b"{}")
        except ValueError:
            raise BadRequest("the body must be JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body

    def do_GET(self):
        url = urlsplit(self.path)
        path, addresses = url.path, set(parse_qs(url.query).get("to", []))
        if path == "/health":
            self.answer(200, {"status": "ok"})
        elif path == "/admin/outbox":
            self.answer(200, {"sent": self.mailer.snapshot("outbox", addresses)})
        elif path == "/admin/requests":
            self.answer(200, {"requests": self.mailer.snapshot("requests", addresses)})
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        try:
            body = self.read_json()
            if path == "/send":
                self.send(body)
            elif path == "/admin/rules":
                self.answer(200, self.mailer.set_rule(body))
            elif path == "/admin/release":
                self.mailer.release(body.get("to"))
                self.answer(200, {"released": body.get("to")})
            else:
                self.answer(404, {"error": "not_found"})
        except BadRequest as problem:
            self.answer(400, {"error": "bad_request", "detail": str(problem)})

    def send(self, body):
        key = self.headers.get("Idempotency-Key", "")
        if not key.strip():
            raise BadRequest("every send needs an Idempotency-Key header")
        status, answer, held = self.mailer.send(email_of(body), key)
        if held is not None:
            held.wait(HOLD_LIMIT_S)
        try:
            self.answer(status, answer)
        except OSError:  # the caller is gone (killed while its answer was held)
            self.close_connection = True


def main():
    Handler.mailer = Mailer()
    address = (os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000")))  # noqa: S104 - a container's port
    server = ThreadingHTTPServer(address, Handler)
    server.daemon_threads = True
    print(f"mailer listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
