"""A learner's browser as the terminal sees it, over real HTTP and a real WebSocket: log in,
press Run, open the terminal (Origin and CSRF token as the lab page sends them), type, read."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import websocket

from tests.webapp.conftest import PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Learner:
    def __init__(self, site: str, email: str, lab_id: str = "toy-items") -> None:
        self.site, self.lab_id = site, lab_id
        self.http = httpx.Client(base_url=site, timeout=120)
        self.terminals: list[Terminal] = []
        login = self.http.post("/login", data={"csrf_token": self.token("/login"),
                                               "email": email, "password": PASSWORD})
        assert login.status_code == 302, f"expected {email} logged in, got {login.status_code}"
        self.csrf = self.token(f"/labs/{lab_id}")

    def token(self, page: str) -> str:
        found = TOKEN.search(self.http.get(page).text)
        assert found, f"expected a CSRF token on {page}"
        return found.group(1)

    def post(self, path: str) -> httpx.Response:
        return self.http.post(f"/labs/{self.lab_id}{path}", headers={"X-CSRFToken": self.csrf})

    def run(self) -> None:
        started = self.post("/run")
        assert started.status_code == 200, f"expected Run to start: {started.text}"

    def terminal(self, origin: str | None = None, token: str | None = None) -> Terminal:
        url = (self.site.replace("http", "ws", 1)
               + f"/labs/{self.lab_id}/run/terminal?csrf_token={token or self.csrf}")
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        terminal = Terminal(websocket.create_connection(url, cookie=cookies,
                                                        origin=origin or self.site, timeout=20))
        self.terminals.append(terminal)
        return terminal

    def close(self) -> None:
        """Close the learner's HTTP connections and terminals (closing twice is harmless)."""
        for terminal in self.terminals:
            terminal.close()
        self.http.close()

    def handshake(self, origin: str, token: str) -> httpx.Response:
        """The terminal's handshake as plain HTTP, to read a refusal's status and reason."""
        return self.http.get(f"/labs/{self.lab_id}/run/terminal", params={"csrf_token": token},
                             headers={"Origin": origin, "Upgrade": "websocket",
                                      "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                                      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})


class Terminal:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seen = b""
        self.closed: str | None = None

    def type(self, keys: str) -> None:
        self.ws.send(json.dumps({"input": keys}))

    def resize(self, rows: int, cols: int) -> None:
        self.ws.send(json.dumps({"resize": [rows, cols]}))

    def _take(self, timeout: float) -> None:
        self.ws.settimeout(timeout)
        try:
            message = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return
        except websocket.WebSocketConnectionClosedException:
            self.closed = self.closed or "(connection closed without a reason)"
            return
        if isinstance(message, bytes):
            self.seen += message
        elif message:
            self.closed = json.loads(message)["closed"]

    def until(self, marker: bytes, timeout: float = 20) -> str:
        """Everything printed once `marker` shows; fails if the terminal closes first."""
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            assert self.closed is None, f"closed ({self.closed}) before {marker!r}: {self.seen!r}"
            assert time.monotonic() < deadline, f"no {marker!r} in {timeout} s: {self.seen!r}"
            self._take(0.2)
        return self.seen.decode(errors="replace")

    def close_reason(self, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while self.closed is None:
            assert time.monotonic() < deadline, f"still open after {timeout} s: {self.seen!r}"
            self._take(0.2)
        return self.closed

    def close(self) -> None:
        self.ws.close()
