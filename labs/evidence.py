"""Short, readable excerpts of what a check saw, stored as a result's evidence.

Evidence is plain text capped in size: the web page and the reports show it verbatim, and a
learner's service must not be able to blow up a result by answering with megabytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

EXCERPT_CHARS = 600
EVIDENCE_CHARS = 4000
SHOWN_HEADERS = ("content-type", "location", "cache-control", "etag", "retry-after")
# C0 controls but tab and newline, DEL and C1 controls: NUL breaks PostgreSQL text, ESC and
# CSI drive terminals. Shown as \xNN so the reader sees they were there.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters (but tab and newline; CRLF becomes LF) escaped."""
    return CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def json_text(value: Any, limit: int = 200) -> str:
    """A value as the learner sees it on the wire, for a message: compact JSON (null, true,
    "text"), never a Python repr (None, True, 'text'), cut to `limit` characters."""
    return excerpt(json.dumps(value, ensure_ascii=False, default=str), limit)


def body_excerpt(content: bytes, limit: int = EXCERPT_CHARS) -> str:
    if not content:
        return "(empty body)"
    return excerpt(content.decode("utf-8", errors="replace"), limit)


def describe_request(request: httpx.Request) -> str:
    target = request.url.raw_path.decode("ascii", errors="replace")
    lines = [f"{request.method} {target}"]
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed upload: its body is not kept
        content = b""
    if content:
        lines.append(body_excerpt(content))
    return "\n".join(lines)


def describe_response(response: httpx.Response) -> str:
    lines = [f"{response.status_code} {response.reason_phrase}".rstrip()]
    lines += [f"{name}: {response.headers[name]}" for name in SHOWN_HEADERS
              if name in response.headers]
    lines.append(body_excerpt(response.content))
    return "\n".join(lines)


def describe_exchange(response: httpx.Response) -> str:
    """The request that produced `response` and the response itself, as a short transcript."""
    return f"> {describe_request(response.request)}\n< {describe_response(response)}"


def render_evidence(evidence: Any) -> str | None:
    """Evidence given to CheckFailed/expect (a response, text, or a parsed JSON value shown as
    indented JSON) as capped text."""
    if evidence is None:
        return None
    if isinstance(evidence, httpx.Response):
        text = describe_exchange(evidence)
    elif isinstance(evidence, str):
        text = evidence
    else:
        text = json.dumps(evidence, ensure_ascii=False, indent=2, default=str)
    return excerpt(text, EVIDENCE_CHARS)
