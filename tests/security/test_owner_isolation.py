"""One learner cannot read, download, poll, change or run another's records: a submission by
id answers 404 exactly as a missing one does, and drafts and Run sessions are looked up by the
logged-in user, never by anything the request names."""

from __future__ import annotations

import pytest

from tests.security.conftest import TOY, World
from tests.security.route_table import OWNER, ROUTES

MISSING_ID = 10**9
MARKER = "ada_private_marker_7f3a"
OWN_PAGES = sorted(key for key, route in ROUTES.items() if route.access == OWNER
                   and key[1] == "GET")


def by_id(world: World) -> list[str]:
    """Owner routes that name a record by id (the table's OWNER rules with an <int:...> id)."""
    return [endpoint for endpoint, method in OWN_PAGES
            if "<int:" in next(world.app.url_map.iter_rules(endpoint)).rule]


def test_a_submission_of_another_learner_answers_like_a_missing_one(world: World) -> None:
    endpoints = by_id(world)
    assert endpoints, "expected owner routes naming a submission by id"
    for endpoint in endpoints:
        (rule,) = world.app.url_map.iter_rules(endpoint)
        theirs, missing = world.url(rule), world.url(rule, submission_id=MISSING_ID)
        answer = world.bob.call("GET", theirs)
        assert answer.status_code == 404, f"GET {theirs} as Bob: expected 404, got {answer.status}"
        assert answer.data == world.bob.call("GET", missing).data, (
            f"GET {theirs}: expected Bob to learn nothing a missing id would not tell him")
        assert world.ada.call("GET", theirs).status_code == 200, f"Ada's own {theirs}"
        assert world.grace.call("GET", theirs).status_code == 200, f"instructor on {theirs}"


@pytest.fixture(scope="module")
def ada_draft(world: World) -> str:
    saved = world.ada.call("POST", f"/labs/{TOY}/draft/file",
                           json={"path": f"{MARKER}.py", "content": f"# {MARKER}\n"})
    assert saved.status_code == 200, f"expected Ada's save to work, got {saved.status}"
    return f"{MARKER}.py"


@pytest.mark.parametrize(("endpoint", "method"), OWN_PAGES)
def test_no_page_of_bob_shows_adas_records(world: World, ada_draft: str, endpoint: str,
                                           method: str) -> None:
    url = world.url_of(endpoint)
    ada_submission = f"/submissions/{world.ada_submission}".encode()
    seen = world.bob.call(method, url).data
    assert MARKER.encode() not in seen, f"GET {url} as Bob shows Ada's draft"
    assert ada_submission not in seen, f"GET {url} as Bob links Ada's submission"


def test_bobs_draft_changes_never_touch_adas(world: World, ada_draft: str) -> None:
    before = world.ada.call("GET", f"/labs/{TOY}/draft").get_json()["files"]
    base = f"/labs/{TOY}/draft"
    world.bob.call("POST", f"{base}/file", json={"path": ada_draft, "content": "bob was here"})
    world.bob.call("POST", f"{base}/rename", json={"path": ada_draft, "to": "stolen.py"})
    world.bob.call("POST", f"{base}/delete", json={"path": ada_draft})
    world.bob.call("POST", f"{base}/reset")
    after = world.ada.call("GET", f"/labs/{TOY}/draft").get_json()["files"]
    assert after == before, "expected Ada's draft unchanged by Bob's requests"


@pytest.mark.slow
def test_bob_cannot_see_poke_or_stop_adas_run(world: World) -> None:
    run = f"/labs/{TOY}/run"
    started = world.ada.call("POST", run)
    assert started.status_code == 200, f"expected Ada's run to start, got {started.get_json()}"
    try:
        assert world.bob.call("GET", run).get_json()["state"] == "stopped"
        poked = world.bob.call("POST", f"{run}/request", json={"method": "GET", "path": "/"})
        assert poked.status_code == 409, f"expected 409 for Bob's console, got {poked.status}"
        world.bob.call("POST", f"{run}/stop")
        assert world.ada.call("GET", run).get_json()["state"] == "running", (
            "expected Ada's run to survive Bob's Stop")
    finally:
        world.ada.call("POST", f"{run}/stop")
