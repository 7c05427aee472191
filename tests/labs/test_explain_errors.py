"""Low-level errors become plain sentences that say what happened to the learner's service."""

from __future__ import annotations

import json

import httpx
import pytest
from fakes import FakeSession, json_app

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
    assert message.endswith("last log lines:\napp starting\nTraceback: boom")


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
    assert explain(KeyError("id")) == "the check could not finish: KeyError: 'id'"


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
