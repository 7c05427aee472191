"""The url-shortener checks against the solution moved to the edges its README allows.

The reference draws 7-character codes, answers a relative `Location: /{code}`, ships
estimates within 4% of the grader's and serves within a second of starting; an alternative
covers 307. The README allows codes of up to 32 letters and digits, a Location that is an
absolute URL with the path `/{code}`, every estimate within 25%, and 20 s to be ready.
Each test moves the solution to one of those edges and runs only the checks it touches
(with what they need): they must pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shortener_lab import SHORTENER, shortener_session

from labs.url_shortener import workload
from tests.support import edge_copy


def grade_at_the_edge(postgres_url: str, tmp_path: Path,
                      changes: dict[str, list[tuple[str, str]]], *check_ids: str,
                      ) -> dict[str, str]:
    return edge_copy.grade_at_the_edge(
        SHORTENER, lambda folder, logs: shortener_session(folder, postgres_url, logs),
        tmp_path, changes, *check_ids)


@pytest.mark.slow
def test_32_character_codes_with_an_absolute_location_pass(postgres_url: str,
                                                           tmp_path: Path) -> None:
    """README: a code is 1 to 32 letters and digits; Location is /{code}, "a path, or an
    absolute URL with that path". Codes of 32 characters behind http://host:port/{code}
    are created, followed, counted and kept unique under 200 simultaneous creates."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {
        "links.py": [("CODE_LENGTH = 7", "CODE_LENGTH = 32")],
        "app.py": [('response.headers["Location"] = f"/{code}"',
                    'response.headers["Location"] = f"{request.host_url}{code}"')]},
        "create_answers_201_with_location", "clicks_are_counted",
        "codes_stay_unique_under_simultaneous_writers")
    assert failures == {}


@pytest.mark.slow
@pytest.mark.parametrize("share", [0.76, 1.24])
def test_estimates_just_inside_a_quarter_pass(share: float, postgres_url: str,
                                              tmp_path: Path) -> None:
    """README: each estimate passes within 25% of the grader's own computation. Every
    member at 76% (or 124%) of it, the whole ones written as integers, passes."""
    shipped = (SHORTENER.path / "solution" / "estimates.json").read_text(encoding="utf-8")
    edge = {name: round(exact * share) if exact * share >= 100 else round(exact * share, 3)
            for name, exact in workload.expected().items()}
    failures = grade_at_the_edge(postgres_url, tmp_path, {
        "estimates.json": [(shipped, json.dumps(edge, indent=2) + "\n")]},
        "estimates_match_the_workload")
    assert failures == {}


@pytest.mark.slow
def test_an_app_taking_fourteen_seconds_to_start_passes(postgres_url: str,
                                                        tmp_path: Path) -> None:
    """README: ready (GET /healthz 200) within 20 seconds of starting; after the kill the
    grader waits up to 20 s for it. An app that takes 14 s before it listens, at every
    start, keeps its links and clicks across the restart."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {"app.py": [
        ("    threading.stack_size(THREAD_STACK_BYTES)\n",
         "    threading.stack_size(THREAD_STACK_BYTES)\n    __import__(\"time\").sleep(14)\n")]},
        "links_survive_an_app_restart")
    assert failures == {}
