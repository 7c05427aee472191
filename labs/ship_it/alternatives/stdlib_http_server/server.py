"""Messages over plain http.server: no framework, configured by the environment only."""

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import db

CONFIG = {}
STOPPING = threading.Event()


def load_config():
    try:
        limit = int(os.environ["MAX_MESSAGE_LENGTH"])
        return {"url": os.environ["DATABASE_URL"], "release": os.environ["RELEASE"],
                "limit": limit, "port": int(os.environ["PORT"]),
                "host": os.environ.get("HOST", "0.0.0.0")}  # noqa: S104 - in a container
    except (KeyError, ValueError) as exc:
        sys.exit(f"bad configuration: {exc!r}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if STOPPING.is_set():
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        try:
            if parts.path == "/healthz":
                self.reply(200, {"alive": True})
            elif parts.path == "/readyz":
                if STOPPING.is_set():
                    self.reply(503, {"ready": False, "why": "stopping"})
                else:
                    db.run(CONFIG["url"], ("SELECT 1", None))
                    self.reply(200, {"ready": True})
            elif parts.path == "/version":
                self.reply(200, {"release": CONFIG["release"]})
            elif parts.path == "/messages":
                rows = db.run(CONFIG["url"], ("SELECT id, text FROM messages ORDER BY id", None))
                self.reply(200, {"messages": [{"id": i, "text": t} for i, t in rows]})
            elif parts.path == "/report":
                self.report(parse_qs(parts.query).get("seconds", [""])[0])
            else:
                self.reply(404, {"error": "no such path"})
        except db.DatabaseDown:
            self.reply(503, {"ready": False, "why": "database unreachable"})

    def report(self, raw):
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0
        if not 0 < seconds <= 10:
            self.reply(422, {"error": "seconds must be in (0, 10]"})
            return
        rows = db.run(CONFIG["url"], ("SELECT pg_sleep(%s)", (seconds,)),
                      ("SELECT count(*) FROM messages", None))
        self.reply(200, {"messages": rows[0][0]})

    def do_POST(self):
        if urlsplit(self.path).path != "/messages":
            self.reply(404, {"error": "no such path"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            text = json.loads(self.rfile.read(length) or b"null").get("text")
        except (ValueError, AttributeError):
            text = None
        if not isinstance(text, str) or not text.strip() or len(text) > CONFIG["limit"]:
            self.reply(422, {"error": f"text: 1 to {CONFIG['limit']} characters"})
            return
        try:
            rows = db.run(CONFIG["url"], ("INSERT INTO messages (text) VALUES (%s) "
                                          "RETURNING id", (text,)))
        except db.DatabaseDown:
            self.reply(503, {"error": "database unreachable"})
            return
        self.reply(201, {"id": rows[0][0], "text": text})

    def log_message(self, format, *args):
        pass


def main():
    CONFIG.update(load_config())
    server = ThreadingHTTPServer((CONFIG["host"], CONFIG["port"]), Handler)
    server.daemon_threads = False

    def stop(signum, frame):
        STOPPING.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"messages {CONFIG['release']} on port {CONFIG['port']}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    print("bye", flush=True)


if __name__ == "__main__":
    main()
