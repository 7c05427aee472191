"""Send copies of one request so that they reach the app at the same instant.

Threads released from a barrier still arrive one by one when each must first connect and
send its request: on a slow sandbox (half a CPU) the app then serves them one after another
and a race between them never shows. Here every copy sends its headers and all of its body
but the last byte, the copies wait for each other, and only then do all last bytes go out.
Each copy's handler in the app is by then parked reading its body, so all of them resume
together: this is how retries from impatient clients really collide.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress

import httpx

HOLD_TIMEOUT_S = 10.0  # longest a copy waits for the others before sending its last byte


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
