"""A hard deadline for one HTTP exchange with code we do not trust, body included.

httpx's timeouts bound each socket operation, so a service that dribbles a byte every
second, or streams a body that never ends, keeps a request going for as long as it likes.
`Cutoff` bounds the whole exchange: no single phase may wait longer than the whole, and when
the deadline passes the exchange's socket is shut down, which ends a read in progress. The
connection must serve this exchange alone (`NO_REUSE`), so cutting it touches nothing else.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
from typing import Any

import httpx

NO_REUSE = httpx.Limits(max_keepalive_connections=0)


@functools.cache
def shared_tls() -> ssl.SSLContext:
    """One default TLS context for every client we make (`verify=shared_tls()`): httpx builds
    a new one per client by default, loading the CA store each time (~60 ms of CPU), and
    the grader makes a client per readiness probe and per check."""
    return ssl.create_default_context()

CONNECTED = ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete")


class Cutoff:
    """Arm one request (`arm`), then send it inside `with cutoff:`; `expired` tells whether
    the deadline cut it (the send or read then fails with an httpx transport error).
    `seconds=None` arms nothing: the exchange has no deadline."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = None if seconds is None else max(0.0, seconds)
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = None if self.seconds is None else threading.Timer(self.seconds, self._cut)
        if self._timer is not None:
            self._timer.daemon = True

    def arm(self, request: httpx.Request) -> httpx.Request:
        """Cap the request's per-phase timeouts at the deadline and learn its socket."""
        seconds = self.seconds
        if seconds is None:
            return request
        timeouts = request.extensions.get("timeout", {})
        request.extensions["timeout"] = {
            phase: seconds if limit is None else min(limit, seconds)
            for phase, limit in {"connect": None, "read": None, "write": None, "pool": None,
                                 **timeouts}.items()}
        earlier = request.extensions.get("trace")

        def trace(event: str, info: dict[str, Any]) -> None:
            if event in CONNECTED and info.get("return_value") is not None:
                self._keep(info["return_value"].get_extra_info("socket"))
            if earlier is not None:
                earlier(event, info)

        request.extensions["trace"] = trace
        return request

    def __enter__(self) -> Cutoff:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _keep(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _cut(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)
