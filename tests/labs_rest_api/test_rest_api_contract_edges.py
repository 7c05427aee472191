"""The rest-api checks against the solution moved to the other options its README allows.

The reference and both alternatives answer `Location` as a path, problems as
`application/problem+json` with nothing after it, and timestamps ending in `Z`. The README
allows a Location that is a full URL, a `; charset=utf-8` after the problem type, and
timestamps ending in `+00:00`. Each option touches most checks (every create, every
problem, every resource read back), so each test runs them all: they must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_app import REST_API, rest_session

from tests.support import edge_copy

ALL = [check.id for check in REST_API.checks]


def grade_at_the_edge(postgres_url: str, tmp_path: Path,
                      changes: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    return edge_copy.grade_at_the_edge(
        REST_API, lambda folder, logs: rest_session(folder, postgres_url, logs), tmp_path,
        changes, *ALL)


@pytest.mark.slow
def test_a_location_that_is_a_full_url_passes(postgres_url: str, tmp_path: Path) -> None:
    """README: `Location: /api/v1/users/{id}` (a path or a full URL). Every 201, and its
    replays, carry http://host:port/api/v.../{id}: the prefix the request used is kept."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {"responses.py": [
        ("from flask import Response\n", "from flask import Response, request\n"),
        ('{"Location": location}', '{"Location": request.host_url.rstrip("/") + location}')]})
    assert failures == {}


@pytest.mark.slow
def test_problems_with_a_charset_pass(postgres_url: str, tmp_path: Path) -> None:
    """README: `Content-Type: application/problem+json` (a `; charset=utf-8` after it is
    fine) on every error under /api."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {"problems.py": [
        ('mimetype="application/problem+json"',
         'content_type="application/problem+json; charset=utf-8"')]})
    assert failures == {}


@pytest.mark.slow
def test_timestamps_ending_in_an_offset_pass(postgres_url: str, tmp_path: Path) -> None:
    """README: timestamps are ISO-8601 in UTC (`...Z` or `...+00:00`). Every created_at
    ends in +00:00, and reads back as the same text."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {"users.py": [
        ('return moment.isoformat().replace("+00:00", "Z")', "return moment.isoformat()")]})
    assert failures == {}


@pytest.mark.slow
def test_a_v2_create_that_reads_name_fails_naming_the_v2_rule(postgres_url: str,
                                                               tmp_path: Path) -> None:
    """README: in v2, POST requires first_name and a v2 body's name is ignored. A service
    that reads name in v2 too creates the user; the failure says which rule it broke, not a
    bare "expected 422, got 201"."""
    failures = grade_at_the_edge(postgres_url, tmp_path, {"users.py": [
        ("    if g.api_version == 1:\n        name = errors.text(",
         '    if g.api_version == 1 or "name" in body:\n        name = errors.text(')]})
    assert list(failures) == ["version_2_splits_the_name"]
    assert failures["version_2_splits_the_name"].startswith(
        "expected 422 from POST /api/v2/users for a body with name but no first_name "
        "(version 2 requires first_name and ignores name), got 201: ")
