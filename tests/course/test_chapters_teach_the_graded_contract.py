"""A chapter teaches the contract its lab grades: the bounds, header names and paths the checks
hold a solution to stand in the chapter (its "What you will build" box or its text) as the
checks themselves state them.

Which checks a box maps is test_real_content's (every check of the lab in a row, every id in
a row a real check); the per-lab README tests pin the README's own numbers. These pin what a
reader of the chapter alone would otherwise get wrong: a number the box left vague, a header
or path the chapter named differently from the grader.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml

from course.fences import split_fences
from tests.support import lab_contract
from tests.support.lab_folder import LabFolder

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_chapter_1_names_the_stats_resource_the_click_check_reads() -> None:
    from labs.url_shortener import checks

    assert 'f"/links/{code}/stats"' in inspect.getsource(checks.clicks_of)
    shortener = LabFolder("url_shortener")
    lab_contract.expect_lab_box_says(shortener, "as `GET /links/{code}/stats` reports")
    lab_contract.expect_chapter_says(shortener, "`GET /links/abc1234/stats`",
                                     '{"code": "abc1234", "clicks": 17}')


@pytest.mark.parametrize("lab", ["url_shortener", "work_queue", "schema_design"])
def test_boxes_say_errors_are_json_objects_with_an_error_member(lab: str) -> None:
    """These labs' checks judge every error body by its string member "error"; the box
    says so, so the chapter's reader does not answer HTML or a bare status."""
    folder = LabFolder(lab)
    assert 'isinstance(body.get("error"), str)' in (folder.path / "checks.py").read_text()
    lab_contract.expect_lab_box_says(folder, "a JSON object with an `error` member")


def test_chapter_7_limiter_box_gives_the_exact_error_bodies() -> None:
    from labs.rate_limiter import checks

    assert '"error", "missing_api_key"' in inspect.getsource(checks.missing_api_key_is_401)
    assert '"error", "rate_limited"' in inspect.getsource(checks.over_the_limit_answers_429)
    builds = box_builds(LabFolder("rate_limiter"))
    for phrase in ('refused with 401 `{"error": "missing_api_key"}`',
                   '429 `{"error": "rate_limited"}`'):
        assert phrase in builds, f"the rate-limiter box does not say {phrase!r}"


def box_builds(lab: LabFolder) -> str:
    """The `build` texts of the lab's box as the page shows them (YAML parsed, so quotes
    escaped in the block read as the reader sees them), one line of words."""
    block = lab_contract.lab_box(lab)  # fails when no chapter has the lab's box
    for chapter in sorted(CONTENT.glob("*.md")):
        for fence in split_fences(chapter.read_text(encoding="utf-8")):
            if fence.lang == "lab" and " ".join(fence.inner.split()) == block:
                rows = yaml.safe_load(fence.inner)
                return " ".join(" ".join(row["build"].split()) for row in rows)
    raise AssertionError(f"no ```lab block for {lab.spec.id}")


def test_chapter_4_names_the_header_a_replayed_answer_must_carry() -> None:
    from labs.rest_api import checks

    assert '("Idempotent-Replayed", "true")' in inspect.getsource(checks.expect_replay)
    rest_api = LabFolder("rest_api")
    lab_contract.expect_readme_says(rest_api, "the header `Idempotent-Replayed: true`")
    lab_contract.expect_chapter_says(rest_api, "`Idempotent-Replayed: true`")
    lab_contract.expect_lab_box_says(rest_api, "same status, body and `Location`, plus "
                                               "`Idempotent-Replayed: true`")


def probe_paths(document: Any) -> list[tuple[str, Any]]:
    """Every (probe kind, httpGet path) in a YAML document, however deeply nested."""
    found: list[tuple[str, Any]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if str(key).endswith("Probe") and isinstance(value, dict):
                found.append((key, (value.get("httpGet") or {}).get("path")))
            found += probe_paths(value)
    elif isinstance(document, list):
        for item in document:
            found += probe_paths(item)
    return found


def test_chapter_8_probes_use_the_paths_the_lab_grades() -> None:
    """Every probe the chapter shows (startup probes ask the liveness endpoint) is on the
    path the manifest check wants for its kind, so a reader copying any of them passes."""
    from labs.ship_it.manifests import PROBES

    wanted = {**dict(PROBES), "startupProbe": dict(PROBES)["livenessProbe"]}
    chapter = (CONTENT / "08-deployment.md").read_text(encoding="utf-8")
    shown = [pair for block in split_fences(chapter) if block.lang == "yaml"
             for document in yaml.safe_load_all(block.inner) for pair in probe_paths(document)]
    assert {kind for kind, _ in shown} == set(wanted)
    assert [(kind, path) for kind, path in shown if path != wanted[kind]] == []


def test_chapter_7_boxes_state_the_bounds_the_sharding_and_limiter_checks_use() -> None:
    from labs.rate_limiter import checks as limiter
    from labs.sharding import checks as c

    lab_contract.expect_lab_box_says(
        LabFolder("sharding"), f"503 within {c.DOWN_ANSWER_S:g} s",
        f"served again within {c.SHARD_BACK_S:g} s of its return",
        f"within {c.MAX_IMBALANCE:.0%} of the mean", f"(within {c.REBALANCE_TIMEOUT_S:g} s)",
        f"at most {c.MOVE_ALLOWANCE:g} x K/{len(c.ALL_SHARDS)} of K keys")
    assert limiter.REDIS_DOWN_ANSWER_S >= 1  # "within a second", with the grader's margin
    lab_contract.expect_lab_box_says(
        LabFolder("rate_limiter"), "200 within a second",
        f"limiting again within {limiter.REDIS_BACK_S:g} s of its return")


def test_chapter_2_box_states_the_work_queue_targets_and_the_bounds_judged() -> None:
    """The work-queue checks time the 202 and the 503 against a target plus the grader's own
    margin; the box teaches both numbers, as the README does."""
    from labs.work_queue import checks as c

    lab_contract.expect_lab_box_says(
        LabFolder("work_queue"),
        f"`202 Accepted` within {c.ACCEPT_TARGET_S:g} s (the grader judges it at "
        f"{c.ACCEPT_BOUND_S:g} s, its margin for timing from its own side on a busy machine)",
        f"503 within {c.DOWN_TARGET_S:g} s while Redis does not answer (judged at "
        f"{c.DOWN_BOUND_S:g} s, the same margin)")


def test_chapter_5_box_states_the_recovery_and_parallel_miss_bounds() -> None:
    from labs.cache_aside import checks as c

    lab_contract.expect_lab_box_says(
        LabFolder("cache_aside"), f"subscribes again within {c.RESUBSCRIBE_S:g} s",
        f"caching resumes within {c.RECOVERY_S:g} s of its return",
        f"{c.PARALLEL_MISSES} first reads of {c.PARALLEL_MISSES} keys all answered within "
        f"{c.MAX_PARALLEL_MISS_MS / 1000:g} s")


def test_chapter_5_teaches_the_second_look_the_stampede_check_asks_for() -> None:
    """The stampede check allows 2 origin reads for 200 readers, and its hint says how to
    stay there: look in the cache again inside the flight. The chapter's read path says so
    too, for the in-process flight as for the Redis lock."""
    cache = LabFolder("cache_aside")
    hint = next(check.hint for check in cache.checks
                if check.id == "hot_key_expiry_is_single_flight")
    assert "look in the cache again once you hold it" in hint
    lab_contract.expect_chapter_says(cache, "whose `load_and_fill` first looks in the cache once "
                                            "more, then reads the source")


def status_rows(chapter: str) -> dict[str, str]:
    """The chapter's table of status codes (| Code | Name | Use it when |): code -> its
    "use it when" text."""
    lines = (CONTENT / chapter).read_text(encoding="utf-8").splitlines()
    start = lines.index("| Code | Name | Use it when |")
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[-1]
    return rows


def test_chapter_4_status_table_puts_a_mistyped_field_under_422_as_graded() -> None:
    """The rest-api checks send fields of the wrong type (`"3"`, `true`, 2.5 for a quantity,
    a number for a name) and want a 422 validation-failed problem; the chapter's status
    table said 400 for "wrong types", so a reader following it lost two checks."""
    from labs.rest_api import checks

    orders = inspect.getsource(checks.invalid_orders_are_422)
    assert '"quantity": True' in orders and '"quantity": str(' in orders
    assert '"name": ctx.random.randint' in inspect.getsource(checks.invalid_user_fields_are_422)
    rows = status_rows("04-api-design.md")
    assert "type" not in rows["400"], f"the 400 row says {rows['400']!r}"
    assert "wrong type" in rows["422"] and '`"3"`' in rows["422"], rows["422"]
