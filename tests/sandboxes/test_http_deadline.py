"""Readiness probes end in time whatever the service sends: an endless body, dribbled headers,
or nothing at all (sandboxes/http_deadline.py)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from sandboxes.readiness import http_ok, probe_client


@contextmanager
def serve(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A raw TCP server on loopback answering every connection with `answer`, until the
    client goes away."""
    server = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def handle(conn: socket.socket) -> None:
        # OSError: the client cut the connection, which is what the probe should do
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            answer(conn)

    def accept() -> None:
        server.settimeout(0.1)
        while not stopping.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/healthz"
    finally:
        stopping.set()
        acceptor.join()
        server.close()


def endless_body(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    while True:
        conn.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")


def dribbled_headers(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        conn.sendall(b"X-Padding: a\r\n")
        time.sleep(0.1)


def silence(conn: socket.socket) -> None:
    time.sleep(30)


@pytest.mark.parametrize(("answer", "ready"), [(endless_body, True), (dribbled_headers, False),
                                               (silence, False)])
def test_a_probe_ends_within_its_time_whatever_comes(answer, ready: bool) -> None:
    with serve(answer) as url:
        started = time.monotonic()
        try:
            outcome = http_ok(url, seconds=1.0)
        except Exception:
            outcome = False
        took = time.monotonic() - started
        assert outcome is ready
        assert took < 1.5, f"the probe took {took:.2f}s of its 1s"


def test_probes_sharing_one_client_each_end_within_their_own_time() -> None:
    """A readiness wait makes one client for all its probes: a probe cut at its deadline
    leaves the next one its full time and its own connection."""
    with probe_client() as client, serve(silence) as hung, serve(endless_body) as endless:
        for url, ready in ((hung, False), (endless, True), (hung, False), (endless, True)):
            started = time.monotonic()
            try:
                outcome = http_ok(url, seconds=1.0, client=client)
            except Exception:
                outcome = False
            took = time.monotonic() - started
            assert outcome is ready
            assert took < 1.5, f"the probe took {took:.2f}s of its 1s"
