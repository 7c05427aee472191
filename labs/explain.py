"""The one place that turns low-level errors into plain messages for the learner.

A check that meets a refused connection, a reset, a timeout or a body that is not JSON
fails with a sentence about the learner's service, never a traceback; where the sandbox
knows why the service went away (exit code, memory limit) the sentence says so.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx

from labs.evidence import excerpt
from labs.http import ResponseDeadline, ResponseTooLarge
from labs.wording import JSON_KINDS, quoted

LOG_LINES = 10
# TypeError / AttributeError texts of a check handling a parsed body of an unexpected kind.
WRONG_KIND = (
    (re.compile(r"^'(?P<kind>\w+)' object is not subscriptable"), "a JSON object or array"),
    (re.compile(r"^'(?P<kind>\w+)' object has no attribute '(get|keys|items|values)'"),
     "a JSON object"),
    (re.compile(r"^(?P<kind>string|list) indices must be integers"), "a JSON object"),
    (re.compile(r"^'(?P<kind>\w+)' object is not iterable"), "a JSON array"),
    (re.compile(r"^object of type '(?P<kind>\w+)' has no len"), "a JSON array or string"),
)
SETTLE_S = 1.0  # how long a closed connection waits to see whether the service died


def describe_status(status: Any, who: str | None = None) -> str | None:
    """"the service crashed (exit code 1)" for a dead service, None while it runs; `who`
    names it instead ("the service 'worker'") where the learner runs several."""
    who = who or "the service"
    if status is None or status.running:
        return None
    if status.oom_killed:
        return f"{who} was killed: it went over its memory limit"
    if status.exit_code is None:
        return f"{who} is not running"
    return f"{who} crashed (exit code {status.exit_code})"


def explain(exc: BaseException, session: Any = None, service: str = "app") -> str:
    """A learner-facing sentence for `exc`, raised while a check talked to `service`."""
    if isinstance(exc, ResponseTooLarge):
        return f"the service answered with a {exc}"
    if isinstance(exc, ResponseDeadline) and exc.answered:
        return (f"the answer did not end within {round(exc.seconds, 1):g}s (its body kept "
                f"coming): {_target(exc)}")
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {_timeout_of(exc)}: {_target(exc)}"
    if isinstance(exc, httpx.ConnectError | httpx.RemoteProtocolError | httpx.ReadError
                  | httpx.WriteError | ConnectionError):
        return _not_listening(exc, session, service)
    store = _store_unreachable(exc)
    if store:
        return f"could not reach the {store}: {excerpt(str(exc).strip().splitlines()[0], 300)}"
    if isinstance(exc, json.JSONDecodeError):
        return f"the body is not valid JSON ({exc.msg} at character {exc.pos})"
    shape = _json_shape_error(exc)
    if shape:
        return f"the check could not finish: {shape}"
    return f"the check could not finish: {type(exc).__name__}: {excerpt(str(exc), 300)}"


def _json_shape_error(exc: BaseException) -> str | None:
    """What a check's KeyError / TypeError / AttributeError on a parsed body means in JSON
    terms: a member that is missing, or a value of another kind than the check expected."""
    if isinstance(exc, KeyError) and exc.args:
        return f"expected JSON member {quoted(str(exc.args[0]))}, got none"
    if isinstance(exc, IndexError):
        return "expected a longer JSON array, got a shorter one"
    text = str(exc)
    for pattern, expected in WRONG_KIND:
        found = pattern.search(text) if isinstance(exc, TypeError | AttributeError) else None
        if found:
            got = JSON_KINDS.get(found.group("kind"), f"a {found.group('kind')}")
            return f"expected {expected}, got {got}"
    return None


def _store_unreachable(exc: BaseException) -> str | None:
    """"database"/"Redis" when `exc` is a client's failure to reach a backing store."""
    import psycopg
    import redis

    if isinstance(exc, psycopg.OperationalError):
        return "database"
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return "Redis server"
    return None


def _not_listening(exc: BaseException, session: Any, service: str) -> str:
    what = ("the connection was closed without an answer"
            if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)
            else "the service is not listening")
    status = _settled_status(session, service)
    cause = describe_status(status)
    tail = _log_tail(session, service)
    message = f"{what}: {cause}" if cause else f"{what} (did it crash?)"
    return f"{message}; last log lines:\n{tail}" if tail else message


def _settled_status(session: Any, service: str, within: float = SETTLE_S) -> Any:
    """The service's status once a dying process has had `within` seconds to be seen dead: a
    service that closes a connection as it crashes is still "running" for a moment."""
    deadline = time.monotonic() + within
    status = _status(session, service)
    while status is not None and status.running and time.monotonic() < deadline:
        time.sleep(0.05)
        status = _status(session, service)
    return status


def _status(session: Any, service: str) -> Any:
    if session is None:
        return None
    try:
        return session.status(service)
    except Exception:  # the sandbox cannot say: explain without it
        return None


def _log_tail(session: Any, service: str) -> str:
    if session is None:
        return ""
    try:
        return excerpt(session.logs(service, lines=LOG_LINES).strip(), 1500)
    except Exception:  # the sandbox cannot say: explain without it
        return ""


def _timeout_of(exc: httpx.TimeoutException) -> str:
    try:
        timeouts = exc.request.extensions.get("timeout", {})
    except RuntimeError:  # no request attached
        return "the time limit"
    seconds = timeouts.get("read") or timeouts.get("connect")
    return f"{round(seconds, 1):g}s" if seconds else "the time limit"


def _target(exc: httpx.HTTPError) -> str:
    try:
        return f"{exc.request.method} {exc.request.url.path}"
    except RuntimeError:
        return "the request"
