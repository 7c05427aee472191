"""The request console: one HTTP request from the learner, sent by the server to their own
running app, and the answer as plain data for the page.

The target is always the run's app URL with a path beginning with "/", so the console can
reach nothing but the learner's session; time and the size of both bodies are capped.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
TIMEOUT_S = 10.0
MAX_REQUEST_BODY = 64 * 1024
MAX_RESPONSE_BODY = 256 * 1024
MAX_HEADERS = 30
DROPPED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "upgrade"}
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
CONTROL = re.compile(r"[\x00-\x20\x7f]")


class BadRequest(ValueError):
    """The console form cannot be sent as it is; the message says which field and why."""


@dataclass(frozen=True)
class ConsoleRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: str


def parse(form: Any) -> ConsoleRequest:
    """The console request from the page's JSON: method, path, headers (text), body."""
    if not isinstance(form, dict):
        raise BadRequest(f"expected a JSON object, got {type(form).__name__}")
    method = str(form.get("method", "GET")).upper()
    if method not in METHODS:
        raise BadRequest(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    path = _text(form, "path", "")
    if not path.startswith("/") or path.startswith("//") or CONTROL.search(path):
        raise BadRequest(f"path must start with a single / and contain no spaces, got {path!r}")
    body = _text(form, "body", "")
    if len(body.encode()) > MAX_REQUEST_BODY:
        raise BadRequest(f"the body is larger than {MAX_REQUEST_BODY // 1024} KiB")
    return ConsoleRequest(method, path, parse_headers(_text(form, "headers", "")), body)


def _text(form: dict[str, Any], field: str, default: str) -> str:
    """The field as text that can go on the wire (JSON may carry lone surrogates)."""
    text = str(form.get(field, default))
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        raise BadRequest(f"the {field} has a character that is not text (at {exc.start})") from exc
    return text


def parse_headers(text: str) -> list[tuple[str, str]]:
    """`Name: value` lines; blank lines are ignored, hop-by-hop headers dropped."""
    headers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not HEADER_NAME.fullmatch(name):
            raise BadRequest(f"header line {number} should look like 'Name: value', got {line!r}")
        if not value.isascii():
            raise BadRequest(f"header line {number}: header values must be ASCII, got {line!r}")
        if name.lower() not in DROPPED_HEADERS:
            headers.append((name, value.strip()))
    if len(headers) > MAX_HEADERS:
        raise BadRequest(f"at most {MAX_HEADERS} headers, got {len(headers)}")
    return headers


def send(app_url: str, request: ConsoleRequest) -> dict[str, Any]:
    """Send `request` to the app; the status, headers and (capped) body, or an error."""
    headers = dict(request.headers)
    if request.body and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    with httpx.Client(base_url=app_url, timeout=TIMEOUT_S, follow_redirects=False,
                      trust_env=False) as client:
        outgoing = client.build_request(request.method, request.path, headers=headers,
                                        content=request.body.encode() or None)
        base = httpx.URL(app_url)
        if (outgoing.url.host, outgoing.url.port) != (base.host, base.port):
            raise BadRequest(f"the path {request.path!r} leaves your app")
        try:
            response = client.send(outgoing, stream=True)
        except httpx.TimeoutException:
            return {"error": f"no answer within {TIMEOUT_S:g} s"}
        except httpx.HTTPError as exc:
            return {"error": f"could not reach your app ({type(exc).__name__}: {exc})"}
        try:
            body, truncated = _read_capped(response)
        except httpx.HTTPError as exc:
            return {"error": f"the answer broke off ({type(exc).__name__}: {exc})"}
        finally:
            response.close()
    return {
        "status": response.status_code,
        "reason": response.reason_phrase,
        "headers": [(name.decode("latin-1"), value.decode("latin-1"))  # as the app spelled them
                    for name, value in response.headers.raw],
        "body": body.decode("utf-8", errors="replace"),
        "truncated": truncated,
        "elapsed_ms": round(1000 * (time.monotonic() - started)),
    }


def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_RESPONSE_BODY:
            return bytes(body[:MAX_RESPONSE_BODY]), True
    return bytes(body), False
