"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

import re

from cache_lab import CACHE

from tests.support import lab_contract

TTLS = ("CACHE_TTL_SECONDS", "NEGATIVE_TTL_SECONDS")


def test_readme_grading_table_lists_every_check_with_its_points_in_order() -> None:
    lab_contract.expect_readme_grades_the_check_ids(CACHE)


def test_readme_documents_every_variable_and_the_ttls_values() -> None:
    lab_contract.expect_readme_documents_the_app_env(CACHE)
    lab_contract.expect_readme_states_how_the_app_runs(CACHE)
    documented = dict(re.findall(r"^  \| `([A-Z_]+)` \| `([^`]*)` \|", CACHE.readme,
                                 flags=re.MULTILINE))
    assert {name: documented.get(name) for name in TTLS} == {
        name: CACHE.spec.app.env[name] for name in TTLS}


def test_checks_grade_against_the_ttls_lab_toml_gives_the_app() -> None:
    from labs.cache_aside import checks

    assert str(checks.CACHE_TTL_S) == CACHE.spec.app.env["CACHE_TTL_SECONDS"]
    assert str(checks.NEGATIVE_TTL_S) == CACHE.spec.app.env["NEGATIVE_TTL_SECONDS"]


def test_parallel_miss_check_knows_the_origin_latency_lab_toml_sets() -> None:
    from labs.cache_aside import checks

    origin = next(service for service in CACHE.spec.services if service.name == "origin")
    assert str(checks.ORIGIN_LATENCY_MS) == origin.env["ORIGIN_LATENCY_MS"]
    # The bound must sit well clear of the serial time the check tells apart.
    assert checks.MAX_PARALLEL_MISS_MS * 2 <= checks.PARALLEL_MISSES * checks.ORIGIN_LATENCY_MS


def test_readme_and_chapter_box_state_the_bounds_the_checks_use() -> None:
    from labs.cache_aside import checks as c

    lab_contract.expect_readme_says(
        CACHE, f"({c.STAMPEDE_TIMEOUT_S} s in the stampede check)",
        f"the grader accepts {c.TTL_FLOOR * c.CACHE_TTL_S:g}-{c.CACHE_TTL_S} s",
        f"TTL between {c.TTL_FLOOR * c.CACHE_TTL_S:g} and {c.CACHE_TTL_S} s",
        f"channel `{c.CHANNEL}`", f"within {c.EVICTION_DEADLINE_S:g} s of the publish",
        f"sends {c.STAMPEDE_READERS} concurrent reads of it",
        f"the origin is read at most {c.STAMPEDE_MAX_ORIGIN_READS} times",
        f"TTL of at most {c.NEGATIVE_TTL_S} s",
        f"return it within {c.APPEARED_S:g} s",
        f"expects, within {c.RECOVERY_S} s, a new item's second read",
        f"within {c.RESUBSCRIBE_S} s of Redis coming back",
        f"creates {c.PARALLEL_MISSES} items at the origin",
        f"arrives within {c.MAX_PARALLEL_MISS_MS} ms",
        f"creates {c.ZIPF_KEYS} items, draws {c.ZIPF_REQUESTS} reads from a Zipf distribution "
        f"(exponent {c.ZIPF_EXPONENT:g})",
        f"{c.BASELINE_REQUESTS} of them straight to the origin",
        f"{c.LOAD_WORKERS} at a time", f"at least {c.MIN_HIT_RATIO:.0%}")
    lab_contract.expect_readme_says(
        CACHE, f"at most {round(c.ZIPF_REQUESTS * (1 - c.MIN_HIT_RATIO))} origin reads",
        "Latency is shown, not graded")
    lab_contract.expect_readme_says(
        CACHE, f"until the grader has sent all {c.STAMPEDE_READERS} requests and "
        f"{c.STAMPEDE_SETTLE_S:g} s more, **at most {c.STAMPEDE_HOLD_S:g} s**",
        f"the origin holds its reads of that key (until all {c.STAMPEDE_READERS} requests are "
        f"sent and {c.STAMPEDE_SETTLE_S:g} s more, at most {c.STAMPEDE_HOLD_S:g} s)",
        f"(it asks for {c.STAMPEDE_HOLD_S * 1000:g} ms at most)")
    lab_contract.expect_lab_box_says(
        CACHE, f"the origin holds that key's first load up to {c.STAMPEDE_HOLD_S:g} s, until "
        f"all {c.STAMPEDE_READERS} have been sent")
    lab_contract.expect_chapter_says(
        CACHE, f"hold the hot key's first read for up to {c.STAMPEDE_HOLD_S:g} s")
    lab_contract.expect_lab_box_says(
        CACHE, "within a second", f"{c.STAMPEDE_READERS} concurrent misses of one hot key read "
        f"the origin at most twice", f"a hit ratio of at least {c.MIN_HIT_RATIO:.0%}",
        "minus up to 20% of jitter")
    assert c.EVICTION_DEADLINE_S == 1 and c.STAMPEDE_MAX_ORIGIN_READS == 2
    assert c.TTL_FLOOR == 0.8


def test_the_chapter_teaches_the_numbers_the_checks_use() -> None:
    from labs.cache_aside import checks as c

    lab_contract.expect_chapter_says(
        CACHE, f"{c.PARALLEL_MISSES} concurrent misses of a {c.ORIGIN_LATENCY_MS} ms origin "
        f"would take {c.PARALLEL_MISSES * c.ORIGIN_LATENCY_MS / 1000:g} s",
        f"say {c.STAMPEDE_READERS} requests at once on one CPU")
