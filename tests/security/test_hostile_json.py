"""Input the page never sends but an attacker can, found by probing past the fuzzer: bodies
that are not objects, lone surrogates (valid JSON, not text), control characters in file names
(a NUL ends a tar name early: "x/..\\0" would be stored as "x/..") and non-ASCII header values.
Each answers 400 with the reason and leaves the learner's workspace working."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.conftest import TOY, Visitor, World

DRAFT = f"/labs/{TOY}/draft"
SURROGATE = "\ud800"
CASES: list[tuple[str, Any]] = [
    ("/file", {"path": "a.py", "content": SURROGATE}),
    ("/file", {"path": f"{SURROGATE}.py", "content": "x"}),
    ("/file", {"path": "x/..\x00", "content": "x"}),
    ("/file", {"path": "a\tb.py", "content": "x"}),
    ("/file", [{"path": "a.py", "content": "x"}]),
    ("/rename", {"path": "app.py", "to": SURROGATE}),
    ("/rename", {"path": "app.py", "to": "a\x00.py"}),
    ("/delete", "app.py"),
]
CONSOLE = [[1], "GET /", 5, {"path": f"/?q={SURROGATE}"}, {"body": SURROGATE},
           {"path": "/", "headers": "X-Name: Zoë"}, {"path": "/", "headers": f"X: {SURROGATE}"}]


@pytest.mark.parametrize(("path", "body"), CASES)
def test_draft_refuses_what_is_not_a_file(world: World, path: str, body: Any) -> None:
    response = world.ada.call("POST", DRAFT + path, json=body)
    assert response.status_code == 400, f"POST {path} {body!r}: expected 400, got {response.status}"
    assert world.ada.call("GET", DRAFT).status_code == 200, "expected the draft still readable"


def test_grader_refuses_a_file_name_with_a_nul(world: World) -> None:
    response = world.ada.call("POST", f"/labs/{TOY}/submissions", data={
        "files": [(io.BytesIO(b"x"), "x/..\x00")]}, content_type="multipart/form-data")
    assert response.status_code == 400, f"expected 400, got {response.status}"
    assert "control characters" in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def running(world: World) -> Iterator[Visitor]:
    started = world.bob.call("POST", f"/labs/{TOY}/run")
    assert started.status_code == 200, f"expected Bob's run to start, got {started.get_json()}"
    yield world.bob
    world.bob.call("POST", f"/labs/{TOY}/run/stop")


@pytest.mark.slow
@pytest.mark.parametrize("body", CONSOLE)
def test_console_refuses_what_cannot_be_sent(running: Visitor, body: Any) -> None:
    response = running.call("POST", f"/labs/{TOY}/run/request", json=body)
    assert response.status_code == 400, f"console {body!r}: expected 400, got {response.status}"
    assert response.get_json()["error"]
