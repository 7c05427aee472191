"""CheckContext against a fake session: assertions, evidence, body cap, seeds, faults."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from fakes import TOY_LAB, FakeSession, json_app

from labs.context import EXCHANGE_MARGIN_S, CheckContext, GradeState
from labs.evidence import render_evidence
from labs.explain import explain
from labs.failures import CheckFailed
from labs.http import ResponseDeadline, ResponseTooLarge

SUBMISSION = TOY_LAB / "solution"


def slow(environ: dict) -> tuple[int, bytes]:
    time.sleep(1)
    return 200, b"{}"


ROUTES = {
    ("GET", "/ok"): lambda environ: (200, b'{"hello": "world"}'),
    ("POST", "/users"): lambda environ: (200, b'{"id": 1}'),
    ("GET", "/html"): lambda environ: (200, b"<html>oops</html>"),
    ("GET", "/huge"): lambda environ: (200, b"x" * (2 * 1024 * 1024)),
    ("GET", "/slow"): slow,
}


@pytest.fixture
def session() -> Iterator[FakeSession]:
    with FakeSession({"app": json_app(ROUTES)}) as session:
        yield session


def make_context(session: FakeSession, check_id: str = "a_check", seed: int = 1,
                 grade: GradeState | None = None, http_timeout: float = 2.0,
                 check_time: float = 30) -> CheckContext:
    return CheckContext(session, check_id, grade or GradeState(seed=seed),
                        http_timeout=http_timeout, deadline=time.monotonic() + check_time,
                        submission=SUBMISSION)


def dribbling(environ: dict, start_response) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """Answers at once, then sends its body a byte every 50 ms, for ever."""
    start_response("200 OK", [("Content-Type", "application/json")])
    yield b"["
    while True:
        time.sleep(0.05)
        yield b"1,"


def streaming(environ: dict, start_response) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """A body that never ends, as fast as the socket takes it."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    while True:
        yield b"x" * 65536


def test_expect_status_says_expected_and_got_with_the_body(session: FakeSession) -> None:
    ctx = make_context(session)
    response = ctx.http.post("/users", json={"name": "alice"})
    with pytest.raises(CheckFailed) as caught:
        ctx.expect_status(response, 201)
    assert caught.value.message == 'expected 201, got 200 from POST /users: {"id": 1}'
    assert caught.value.evidence is response
    ctx.expect_status(response, (200, 201))


def failure_of(expectation) -> CheckFailed:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckFailed) as caught:
        expectation()
    return caught.value


@pytest.mark.parametrize(("document", "value", "message"), [
    ({"data": 1}, True, 'expected "success": true, got none'),
    ({"success": None}, True, 'expected "success": true, got "success": null'),
    ({"success": 1}, True, 'expected "success": true, got "success": 1'),
    ({"success": "true"}, True, 'expected "success": true, got "success": "true"'),
    ([{"success": True}], True, 'expected a JSON object with member "success", got an '
                                'array: [{"success": true}]'),
    (None, True, 'expected a JSON object with member "success", got null: null'),
])
def test_expect_member_speaks_json(session: FakeSession, document, value, message: str) -> None:
    ctx = make_context(session)
    failure = failure_of(lambda: ctx.expect_member(document, "success", value, evidence="e"))
    assert (failure.message, failure.evidence) == (message, "e")


def test_expect_member_returns_the_member_and_needs_only_presence_without_a_value(
        session: FakeSession) -> None:
    ctx = make_context(session)
    assert ctx.expect_member({"code": None}, "code") is None
    assert ctx.expect_member({"success": True}, "success", True) is True
    assert failure_of(lambda: ctx.expect_member({}, "code")).message == (
        'expected JSON member "code", got none')


def test_expect_equal_shows_both_values_as_json(session: FakeSession) -> None:
    ctx = make_context(session)
    ctx.expect_equal({"a": [1, "x"]}, {"a": [1, "x"]}, "the body")
    assert failure_of(lambda: ctx.expect_equal(None, 3, '"total"')).message == (
        'expected "total" 3, got null')
    assert failure_of(lambda: ctx.expect_equal(1, True, "the flag")).message == (
        "expected the flag true, got 1"), "true is not 1 in JSON"
    assert failure_of(lambda: ctx.expect_equal({"ok": False}, {"ok": 0}, "the body")).message \
        == 'expected the body {"ok": 0}, got {"ok": false}'


def test_evidence_that_is_a_parsed_body_is_shown_as_json(session: FakeSession) -> None:
    ctx = make_context(session)
    failure = failure_of(lambda: ctx.expect(False, "expected a user", evidence={"ok": None}))
    assert render_evidence(failure.evidence) == '{\n  "ok": null\n}'


def test_exchanges_are_recorded_as_evidence(session: FakeSession) -> None:
    ctx = make_context(session)
    ctx.http.post("/users", json={"name": "alice"})
    evidence = ctx.last_exchange()
    assert evidence.startswith('> POST /users\n{"name":"alice"}\n< 200')
    assert "content-type: application/json" in evidence
    assert evidence.endswith('{"id": 1}')


def test_expect_json_parses_or_says_what_came_instead(session: FakeSession) -> None:
    ctx = make_context(session)
    assert ctx.expect_json(ctx.http.get("/ok")) == {"hello": "world"}
    with pytest.raises(CheckFailed, match="expected a JSON body from GET /html, got "
                                          "application/json: <html>oops</html>"):
        ctx.expect_json(ctx.http.get("/html"))


def test_a_body_over_the_cap_is_refused_and_explained(session: FakeSession) -> None:
    ctx = make_context(session)
    with pytest.raises(ResponseTooLarge) as caught:
        ctx.http.get("/huge")
    assert explain(caught.value) == ("the service answered with a response to GET /huge "
                                     "larger than 1024 KiB")


def test_a_slow_answer_is_explained_as_a_timeout(session: FakeSession) -> None:
    ctx = make_context(session, http_timeout=0.2)
    with pytest.raises(Exception) as caught:
        ctx.http.get("/slow")
    assert explain(caught.value, session) == "no answer within 0.2s: GET /slow"


@pytest.mark.parametrize(("http_timeout", "check_time", "limit"), [
    (0.8, 30, 0.8), (5.0, 0.8, 0.8 - EXCHANGE_MARGIN_S)])
def test_a_dribbling_body_is_cut_at_the_exchange_deadline(http_timeout: float, check_time: float,
                                                          limit: float) -> None:
    with FakeSession({"app": dribbling}) as slow_session:
        started = time.monotonic()
        ctx = make_context(slow_session, http_timeout=http_timeout, check_time=check_time)
        with pytest.raises(ResponseDeadline) as caught:
            ctx.http.get("/items")
        took = time.monotonic() - started
    assert limit - 0.1 < took < limit + 0.5, f"cut after {took:.2f}s, deadline {limit}s"
    assert re.fullmatch(r"the answer did not end within [\d.]+s \(its body kept coming\): "
                        r"GET /items", explain(caught.value))
    assert isinstance(caught.value, httpx.TimeoutException), "checks catching httpx errors see it"


def test_another_client_has_the_same_cap_and_deadline_and_closes_with_the_check() -> None:
    with FakeSession({"app": dribbling}) as slow_session:
        started = time.monotonic()
        ctx = make_context(slow_session, http_timeout=5, check_time=0.8)
        client = ctx.client(timeout=5)
        with pytest.raises(ResponseDeadline):
            client.get("/items")
        assert time.monotonic() - started < 1.3
        assert client.max_body == ctx.http.max_body
        ctx.close()
        assert client.is_closed


def test_an_endless_body_stops_at_the_byte_cap() -> None:
    with FakeSession({"app": streaming}) as endless:
        ctx = make_context(endless, http_timeout=5)
        with pytest.raises(ResponseTooLarge):
            ctx.http.get("/items")


def test_exchanges_get_connections_of_their_own(session: FakeSession) -> None:
    """A cut must reach only its own exchange: no connection is shared between requests."""
    ctx = make_context(session)
    events: list[str] = []
    for _ in range(3):
        ctx.http.get("/ok", extensions={"trace": lambda event, info: events.append(event)})
    assert events.count("connection.connect_tcp.complete") == 3


def test_random_is_seeded_by_grade_seed_and_check_id(session: FakeSession) -> None:
    def draws(seed: int, check_id: str) -> list[int]:
        return [make_context(session, check_id, seed).random.randrange(10**9) for _ in "ab"]

    assert draws(42, "a_check") == draws(42, "a_check")
    assert draws(42, "a_check") != draws(43, "a_check")
    assert draws(42, "a_check") != draws(42, "other_check")


def test_eventually_retries_until_the_probe_passes(session: FakeSession) -> None:
    ctx = make_context(session)
    calls = []

    def probe() -> str:
        calls.append(1)
        ctx.expect(len(calls) >= 3, "not yet")
        return "done"

    assert ctx.eventually(probe, timeout=2, interval=0.01) == "done"
    assert len(calls) == 3
    with pytest.raises(CheckFailed, match="never"):
        ctx.eventually(lambda: ctx.expect(False, "never"), timeout=0.05, interval=0.01)


def test_faults_reach_the_session_and_note_what_is_down(session: FakeSession) -> None:
    grade = GradeState(seed=1)
    ctx = make_context(session, grade=grade)
    ctx.faults.kill("app")
    assert grade.taken_down == {"app"}
    ctx.faults.start("app")
    assert grade.taken_down == set()
    assert session.faults == [("kill", "app"), ("start", "app")]
    with pytest.raises(AttributeError, match="no operation 'close'"):
        ctx.faults.close("app")


def test_metrics_and_charts_are_collected_for_the_grade(session: FakeSession) -> None:
    grade = GradeState(seed=1)
    ctx = make_context(session, grade=grade)
    ctx.metric("p99", 12.5, "ms")
    ctx.chart("latency", "line", [1, 2, 3])
    assert grade.metrics == [{"name": "p99", "value": 12.5, "unit": "ms", "check": "a_check"}]
    assert grade.charts == [{"name": "latency", "kind": "line", "data": [1, 2, 3],
                             "check": "a_check"}]
