"""Send copies of one request so that they reach the app at the same instant.

Threads released from a barrier still arrive one by one when each must first connect and
send its request: on a slow sandbox (half a CPU) the app then serves them one after another
and a race between them never shows. Here every copy sends its headers and all of its body
but the last byte, the copies wait for each other, and only then do all last bytes go out.
Each copy's handler in the app is by then parked reading its body, so all of them resume
together: this is how retries from impatient clients really collide.

A request without a body (a GET) has no last byte to hold back: `get_together` connects
every copy first, gives the app a moment to take the connections in (its handlers then wait
on the request line), and only then lets every copy send its request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress

import httpx

HOLD_TIMEOUT_S = 10.0  # longest a copy waits for the others before sending its last byte
SETTLE_S = 0.05        # once all are connected, the app's time to accept them before they send
CONNECTED = "connection.connect_tcp.complete"  # httpcore's trace event: the socket is open


class InFlight:
    """`copies` identical requests under way; `responses()` waits for all of them."""

    def __init__(self, client: httpx.Client, copies: int, method: str, path: str, body: bytes,
                 headers: dict[str, str]) -> None:
        if copies < 1 or not body:
            raise ValueError("InFlight needs at least one copy and a non-empty body")
        self._barrier = threading.Barrier(copies)
        self._body = body
        headers = {**headers, "Content-Length": str(len(body))}
        self._pool = ThreadPoolExecutor(copies)
        self._futures: list[Future[httpx.Response]] = [
            self._pool.submit(self._send, client, method, path, headers) for _ in range(copies)]
        self._pool.shutdown(wait=False)

    def _held_body(self) -> Iterator[bytes]:
        yield self._body[:-1]
        with suppress(threading.BrokenBarrierError):  # a copy failed or lagged: send anyway
            self._barrier.wait(HOLD_TIMEOUT_S)
        yield self._body[-1:]

    def _send(self, client: httpx.Client, method: str, path: str,
              headers: dict[str, str]) -> httpx.Response:
        try:
            return client.request(method, path, content=self._held_body(), headers=headers)
        finally:
            self._barrier.abort()  # a copy that ended early must not hold the others back

    def answered(self) -> int:
        """How many copies have their answer (or failed) by now."""
        return sum(future.done() for future in self._futures)

    def responses(self) -> list[httpx.Response]:
        """Every copy's response, in the order sent, once all have ended; re-raises the
        failure of the first copy that failed (no copy is left running either way)."""
        wait(self._futures)
        return [future.result() for future in self._futures]


def send_together(client: httpx.Client, copies: int, method: str, path: str, body: bytes,
                  headers: dict[str, str]) -> list[httpx.Response]:
    """The responses to `copies` identical requests whose last body byte leaves at once."""
    return InFlight(client, copies, method, path, body, headers).responses()


def get_together(client: httpx.Client, copies: int, path: str) -> list[httpx.Response]:
    """The responses to `copies` GET `path` sent at the same instant: each copy opens its
    connection, waits until every copy has one (plus SETTLE_S for the app to accept them),
    and only then sends its request. A copy that fails to connect releases the others."""
    if copies < 1:
        raise ValueError("get_together needs at least one copy")
    barrier = threading.Barrier(copies, action=lambda: time.sleep(SETTLE_S))

    def hold(event: str, _info: object) -> None:
        if event == CONNECTED:
            with suppress(threading.BrokenBarrierError):  # a copy failed or lagged
                barrier.wait(HOLD_TIMEOUT_S)

    def send() -> httpx.Response:
        try:
            return client.get(path, extensions={"trace": hold})
        finally:
            barrier.abort()  # a copy that ended early must not hold the others back

    with ThreadPoolExecutor(copies) as pool:
        futures = [pool.submit(send) for _ in range(copies)]
    return [future.result() for future in futures]
