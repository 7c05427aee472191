"""send_together / InFlight: copies of a request whose last body byte leaves only once every
copy has sent the rest, so they reach the app together (labs/simultaneous.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from labs.http import GraderClient
from labs.simultaneous import InFlight, send_together

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
