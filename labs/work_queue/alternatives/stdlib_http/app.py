"""The email API on the standard library's HTTP server: `python3 app.py`.

POST /emails stores the email and XADDs it to the stream in one transaction, answering 202;
GET /emails/<id> reads its document. Redis errors (including timeouts, 0.4 s) become 503.
"""

import contextlib
import json
import os
import re
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
import store

R = store.client(timeout=0.4)
LIMIT = int(os.environ["BACKLOG_LIMIT"])
ADDRESS = re.compile(r"^[^@]+@[^@]+$")
EMAIL_PATH = re.compile(r"^/emails/([^/]+)$")


def problem(body):
    if not isinstance(body, dict):
        return "expected a JSON object"
    if not isinstance(body.get("to"), str) or not ADDRESS.match(body["to"]):
        return "to: expected an address like name@domain"
    if not isinstance(body.get("subject"), str) or body["subject"].strip() == "":
        return "subject: expected a non-empty string"
    if not isinstance(body.get("body"), str):
        return "body: expected a string"
    return None


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, payload, headers=()):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            if self.path == "/healthz":
                return self.reply(200, {"ok": True})
            match = EMAIL_PATH.match(self.path)
            document = store.load(R, match.group(1)) if match else None
            if document is None:
                return self.reply(404, {"error": "no such email"})
            return self.reply(200, document)
        except redis.RedisError as error:
            return self.reply(503, {"error": f"queue unavailable: {error}"})

    def do_POST(self):
        if self.path != "/emails":
            return self.reply(404, {"error": "no such resource"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return self.reply(400, {"error": "the body is not JSON"})
        why = problem(body)
        if why:
            return self.reply(400, {"error": why})
        try:
            return self.accept(body)
        except redis.RedisError as error:
            return self.reply(503, {"error": f"queue unavailable: {error}"})

    def accept(self, body):
        if store.waiting(R) >= LIMIT:
            return self.reply(503, {"error": "too many emails waiting"}, [("Retry-After", "3")])
        email_id = secrets.token_urlsafe(12)
        fields = {"id": email_id, "to": body["to"], "subject": body["subject"],
                  "body": body["body"]}
        transaction = R.pipeline()
        transaction.set(f"mail:{email_id}", json.dumps({**fields, "status": "queued"}))
        transaction.xadd(store.STREAM, fields)
        transaction.execute()
        return self.reply(202, {"id": email_id, "status": "queued"},
                          [("Location", f"/emails/{email_id}")])

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    with contextlib.suppress(redis.RedisError):  # the worker makes it too
        store.make_group(R)
    server = ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Api)
    server.daemon_threads = True
    server.serve_forever()
