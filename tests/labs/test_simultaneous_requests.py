"""send_together / InFlight: copies of a request whose last body byte leaves only once every
copy has sent the rest, so they reach the app together; get_together: GETs that are sent only
once every copy is connected (labs/simultaneous.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress

import httpx
import pytest

from labs.http import GraderClient
from labs.simultaneous import InFlight, get_together, send_together

BODY = b'{"item": "teapot", "quantity": 2}'


class Recorder(httpx.BaseTransport):
    """A transport that reads each request's body chunk by chunk as it is streamed (unlike
    httpx.MockTransport, which reads it whole first), noting what arrived in which order."""

    def __init__(self, fail_first: bool = False) -> None:
        self.events: list[tuple[str, bytes]] = []
        self.headers: list[httpx.Headers] = []
        self.lock = threading.Lock()
        self.fail_first = fail_first

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.headers.append(request.headers)
            failing = self.fail_first and len(self.headers) == 1
        if failing:
            raise httpx.ConnectError("refused", request=request)
        chunks = iter(request.stream)
        self.note("prefix", next(chunks))
        self.note("last", b"".join(chunks))
        return httpx.Response(201, json={"id": 1})

    def note(self, what: str, data: bytes) -> None:
        with self.lock:
            self.events.append((what, data))


def client(recorder: Recorder) -> GraderClient:
    return GraderClient("http://app.test", timeout=5, transport=recorder)


def test_no_last_byte_leaves_before_every_copy_sent_the_rest() -> None:
    recorder = Recorder()
    responses = send_together(client(recorder), 6, "POST", "/orders", BODY,
                              {"Content-Type": "application/json"})
    assert [r.status_code for r in responses] == [201] * 6
    kinds = [what for what, _ in recorder.events]
    assert kinds == ["prefix"] * 6 + ["last"] * 6
    assert {data for what, data in recorder.events if what == "prefix"} == {BODY[:-1]}
    assert {data for what, data in recorder.events if what == "last"} == {BODY[-1:]}


def test_copies_carry_their_length_not_chunked_encoding() -> None:
    recorder = Recorder()
    send_together(client(recorder), 2, "POST", "/orders", BODY, {"Idempotency-Key": "k1"})
    for headers in recorder.headers:
        assert headers["Content-Length"] == str(len(BODY))
        assert "Transfer-Encoding" not in headers
        assert headers["Idempotency-Key"] == "k1"


def test_a_copy_that_fails_does_not_hold_the_others_back() -> None:
    recorder = Recorder(fail_first=True)
    flight = InFlight(client(recorder), 4, "POST", "/orders", BODY, {})
    started = time.monotonic()
    with pytest.raises(httpx.ConnectError):
        flight.responses()
    assert time.monotonic() - started < 5, "the others waited for the failed copy"
    assert flight.answered() == 4
    assert [what for what, _ in recorder.events].count("last") == 3


class Doorman:
    """A real TCP server on 127.0.0.1 that notes when it accepted each connection and when
    each request's first byte arrived, and answers every request with a 302."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.accepted: list[float] = []
        self.first_bytes: list[float] = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def accept_forever(self) -> None:
        with suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                with self.lock:
                    self.accepted.append(time.monotonic())
                threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: socket.socket) -> None:
        with conn:
            data = conn.recv(1)
            with self.lock:
                self.first_bytes.append(time.monotonic())
            while not data.endswith(b"\r\n\r\n"):
                data += conn.recv(4096)
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /there\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")


@pytest.fixture
def doorman() -> Iterator[Doorman]:
    server = Doorman()
    yield server
    server.listener.close()


def test_no_get_leaves_before_every_copy_is_connected(doorman: Doorman) -> None:
    with GraderClient(doorman.url, timeout=5) as grader:
        responses = get_together(grader, 12, "/abc")
    assert [(r.status_code, r.headers["Location"]) for r in responses] == [(302, "/there")] * 12
    assert len(doorman.accepted) == len(doorman.first_bytes) == 12
    assert max(doorman.accepted) < min(doorman.first_bytes), "a request left before all connected"
    assert len(grader.exchanges) == 12, "every answer is kept as evidence"

