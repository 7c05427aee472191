"""The test suite's stand-in for a learner's service: stdlib only (it also runs on the host's
bare python3), one endpoint per thing a sandbox must allow or forbid."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def redis_command(url, *words):
    """One command over raw RESP, so the app needs no client library; the first reply line."""
    host, port = urlparse(url).hostname, urlparse(url).port
    request = f"*{len(words)}\r\n" + "".join(
        f"${len(word.encode())}\r\n{word}\r\n" for word in words)
    with socket.create_connection((host, port), timeout=3) as sock:
        sock.sendall(request.encode())
        return sock.recv(64).decode().strip()


def redis_incr(url, key):
    return redis_command(url, "INCR", key)


def postgres_hello(host, port):
    """Send PostgreSQL's SSLRequest; a real server answers one byte, N or S."""
    with socket.create_connection((host, int(port)), timeout=3) as sock:
        sock.sendall((8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"))
        return sock.recv(1).decode()


def connect(host, port):
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return "connected"
    except OSError as exc:
        return f"failed: {exc.__class__.__name__}"


def write_file(path, mb):
    try:
        with open(path, "wb") as out:
            for _ in range(int(mb)):
                out.write(b"x" * 1024 * 1024)
    except OSError as exc:
        return f"failed: {exc.strerror}"
    return "written"


def allocate(mb):
    try:
        hog = bytearray(int(mb) * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
    except MemoryError:
        return "failed: MemoryError"
    return "allocated"


def fork_many(n, hold=0):
    children = []
    try:
        for _ in range(int(n)):
            children.append(subprocess.Popen(["sleep", "30"]))
        time.sleep(float(hold))
    except OSError as exc:
        return f"failed after {len(children)}: {exc.strerror}"
    finally:
        for child in children:
            child.kill()
            child.wait()
    return f"started {len(children)}"


IGNORE_SIGTERM = threading.Event()  # handlers can only be set on the main thread


def on_sigterm(signum, frame):
    if not IGNORE_SIGTERM.is_set():
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def spin():
    while True:
        pass


ROUTES = {
    "/healthz": lambda q: "ok",
    "/env": lambda q: json.dumps(dict(os.environ)),
    "/redis": lambda q: redis_incr(os.environ["REDIS_URL"], q.get("key", "hits")),
    "/postgres": lambda q: postgres_hello(os.environ["DB_HOST"], os.environ["DB_PORT"]),
    "/connect": lambda q: connect(q["host"], q["port"]),
    "/write": lambda q: write_file(q["path"], q["mb"]),
    "/memory": lambda q: allocate(q["mb"]),
    "/fork": lambda q: fork_many(q["n"], q.get("hold", 0)),
    "/spawn": lambda q: str(subprocess.Popen(["sleep", "300"]).pid),
    "/spin": lambda q: threading.Thread(target=spin, daemon=True).start() or "spinning",
    "/proc-status": lambda q: Path("/proc/self/status").read_text(),
    "/ignore-sigterm": lambda q: IGNORE_SIGTERM.set() or "ignoring",
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        route = ROUTES.get(url.path)
        if route is None:
            self.send_error(404)
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = route(query).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stdout.write("request " + format % args + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    print(f"probe app listening on {port}", flush=True)
    signal.signal(signal.SIGTERM, on_sigterm)
    server = ThreadingHTTPServer((os.environ["HOST"], port), Handler)
    server.serve_forever()
