"""Low-level errors become plain sentences that say what happened to the learner's service."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fakes import CRASH_LOG, FakeSession, json_app

from labs.explain import describe_status, explain
from sandboxes import ServiceStatus


@pytest.fixture
def session():
    with FakeSession({"app": json_app({})}) as session:
        yield session


def refused(session: FakeSession) -> httpx.ConnectError:
    with pytest.raises(httpx.ConnectError) as caught:
        httpx.get(session.url("app"), timeout=2)
    return caught.value


def test_a_crashed_service_is_named_with_its_exit_code_and_log(session: FakeSession) -> None:
    session.crash("app", exit_code=3)
    message = explain(refused(session), session)
    assert message.startswith("the service is not listening: the service crashed (exit code 3)")
    assert message.endswith(f"last log lines:\napp starting\n{CRASH_LOG}")


class DyingSession:
    """A sandbox that still reports the service running for a moment after it dropped a
    connection, as Docker does while a crashing container exits."""

    def __init__(self, running_for: float) -> None:
        self.dead_at = time.monotonic() + running_for

    def status(self, name: str) -> ServiceStatus:
        if time.monotonic() < self.dead_at:
            return ServiceStatus(running=True)
        return ServiceStatus(running=False, exit_code=3)

    def logs(self, name: str, lines: int) -> str:
        return "counter overflow: giving up"


def test_a_service_that_dies_as_it_drops_the_connection_is_named_as_crashed() -> None:
    message = explain(httpx.RemoteProtocolError("closed"), DyingSession(running_for=0.3))
    assert message == ("the connection was closed without an answer: the service crashed "
                       "(exit code 3); last log lines:\ncounter overflow: giving up")


def test_a_service_that_stays_up_after_dropping_a_connection_is_asked_about() -> None:
    started = time.monotonic()
    message = explain(httpx.RemoteProtocolError("closed"), DyingSession(running_for=60))
    assert message.startswith("the connection was closed without an answer (did it crash?)")
    assert time.monotonic() - started < 3, "waiting for a death that does not come is bounded"


def test_an_out_of_memory_kill_says_memory_limit(session: FakeSession) -> None:
    session.crash("app", exit_code=137, oom_killed=True)
    assert "killed: it went over its memory limit" in explain(refused(session), session)


def test_refused_without_a_session_asks_whether_it_crashed() -> None:
    assert explain(httpx.ConnectError("refused")) == ("the service is not listening "
                                                      "(did it crash?)")


def test_json_errors_and_unknown_errors_stay_readable() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads("{nope")
    assert explain(caught.value).startswith("the body is not valid JSON (Expecting property")
    assert explain(ZeroDivisionError("division by zero")) == (
        "the check could not finish: ZeroDivisionError: division by zero")


def raised_on(document, use) -> BaseException:  # type: ignore[no-untyped-def]
    try:
        use(document)
    except Exception as exc:
        return exc
    raise AssertionError("expected an error")


@pytest.mark.parametrize(("document", "use", "message"), [
    ({"name": "x"}, lambda d: d["id"], 'expected JSON member "id", got none'),
    (None, lambda d: d["id"], "expected a JSON object or array, got null"),
    (5, lambda d: d["id"], "expected a JSON object or array, got a number"),
    ("text", lambda d: d["id"], "expected a JSON object, got a string"),
    ([1, 2], lambda d: d["id"], "expected a JSON object, got an array"),
    ([1, 2], lambda d: d.get("id"), "expected a JSON object, got an array"),
    (None, lambda d: d.get("id"), "expected a JSON object, got null"),
    (None, lambda d: [x for x in d], "expected a JSON array, got null"),
    (None, len, "expected a JSON array or string, got null"),
    ([], lambda d: d[0], "expected a longer JSON array, got a shorter one"),
])
def test_a_check_tripping_over_a_json_body_is_told_in_json_terms(document, use,
                                                                  message: str) -> None:
    assert explain(raised_on(document, use)) == f"the check could not finish: {message}"


@pytest.mark.parametrize(("status", "text"), [
    (ServiceStatus(running=True), None),
    (ServiceStatus(running=False, exit_code=2), "the service crashed (exit code 2)"),
    (ServiceStatus(running=False, exit_code=None), "the service is not running"),
])
def test_describe_status(status: ServiceStatus, text: str | None) -> None:
    assert describe_status(status) == text


def test_unreachable_backing_stores_are_named() -> None:
    import psycopg
    import redis

    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    assert explain(caught.value).startswith("could not reach the database: ")
    with pytest.raises(redis.ConnectionError) as caught:
        redis.Redis(port=1, socket_connect_timeout=2).ping()
    assert explain(caught.value).startswith("could not reach the Redis server: ")
