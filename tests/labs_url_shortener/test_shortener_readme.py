"""The README is the learner's contract: its grading table and variables match the lab, the
workload it states is the one the grader computes the estimate from, and the numbers it
promises (load rate, bounds, writers) are the ones the checks use."""

from __future__ import annotations

import json
import random
import re
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from shortener_lab import SHORTENER

from labs.url_shortener import checks, open_loop, workload
from tests.support import lab_contract


def assumption(label: str) -> str:
    """The value column of the README's workload table row that starts with `label`."""
    match = re.search(rf"^\| {re.escape(label)}[^|]* \| ([^|]+) \|$", SHORTENER.readme,
                      flags=re.MULTILINE)
    assert match, f"no workload row {label!r} in the README"
    return match.group(1).strip()


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SHORTENER)


def test_readme_documents_every_variable() -> None:
    lab_contract.expect_readme_documents_the_app_env(SHORTENER)
    lab_contract.expect_readme_states_how_the_app_runs(SHORTENER)


def test_readme_states_the_workload_the_grader_computes_from() -> None:
    assert assumption("new links per month") == f"{workload.LINKS_PER_MONTH:,}"
    assert assumption("a month") == f"{workload.DAYS_PER_MONTH} days"
    assert assumption("redirects per link created") == str(workload.REDIRECTS_PER_LINK)
    assert assumption("peak traffic over the average") == str(workload.PEAK_FACTOR)
    assert assumption("bytes per stored link") == str(workload.BYTES_PER_LINK)
    assert assumption("cache: share of the last month's links") == f"{workload.HOT_SHARE:.0%}"
    assert f"within **{workload.TOLERANCE:.0%}**" in SHORTENER.readme


def test_readme_names_every_estimate_member_and_its_template_has_them_all() -> None:
    members = re.findall(r"^\| `([a-z_]+)` \|", SHORTENER.readme, flags=re.MULTILINE)
    assert members == list(workload.expected())
    template = re.search(r"```json\n(\{\"writes.*?\})\n```", SHORTENER.readme, flags=re.DOTALL)
    assert template and list(json.loads(template.group(1))) == members


def test_every_estimate_the_lab_ships_is_judged_as_the_readme_says() -> None:
    """The solution's and the alternatives' estimates pass; the starter's zeros do not."""
    expected = workload.expected()
    for folder in [SHORTENER.path / "solution", *SHORTENER.alternatives()]:
        given = json.loads((folder / "estimates.json").read_text())
        for name, exact in expected.items():
            low, high = workload.accepted_range(exact)
            assert low <= given[name] <= high, (folder.name, name)
    starter = json.loads((SHORTENER.path / "starter" / "estimates.json").read_text())
    assert list(starter) == list(expected) and set(starter.values()) == {0}


def test_readme_promises_the_numbers_the_checks_use() -> None:
    readme = SHORTENER.readme
    assert f"{checks.LOAD_RATE} redirects per second for {checks.LOAD_SECONDS} seconds" in readme
    assert f"p99 under {checks.P99_BOUND_MS} ms and\n  under {checks.ERROR_BOUND:.0%} errors" \
        in readme
    assert f"no answer within {checks.LOAD_TIMEOUT_S:g} s" in readme
    assert f"posted {checks.WRITERS} times at the same instant" in readme
    assert f"in {checks.CLICK_ROUNDS} rounds of {checks.CLICKS_AT_ONCE} times at once" in readme
    assert f"at most {checks.MAX_URL} characters" in readme
    assert f"exactly {checks.MAX_URL} characters" in readme
    assert f"waits up to {checks.RESTART_READY_S:g} s" in readme
    lab_contract.expect_readme_says(
        SHORTENER, f"({checks.LOAD_TIMEOUT_S:g} s during the load, below)",
        f"waits (up to {checks.DRAIN_S:g} s) until redirects answer within {checks.QUIET_MS} ms",
        f"at most {checks.ESTIMATES_MAX_BYTES // 1024} KiB", f"up to {checks.WRITERS} connections")
    assert SHORTENER.spec.app.ready.timeout == checks.RESTART_READY_S


def test_readme_states_how_the_load_leaves_out_the_graders_own_delay() -> None:
    lab_contract.expect_readme_says(
        SHORTENER, f"over those links, from {open_loop.SENDERS} senders",
        f"as soon as it was due and one of the {open_loop.SENDERS} senders was free",
        f"only sleeps {open_loop.CONTROL_TICK_S * 1000:g} ms at a time",
        f"When it woke {checks.STARVED_MS} ms late or more during the run",
        f"on answers not read within {checks.LOAD_TIMEOUT_S:g} s (never on a wrong status",
        f"if at least {checks.RERUN_ROOM_S:g} s of the check's time are left")
    assert checks.NOT_IN_TIME == "no answer within"


def test_chapter_box_states_the_numbers_the_checks_use() -> None:
    lab_contract.expect_lab_box_says(
        SHORTENER, f"p99 under {checks.P99_BOUND_MS / 1000:g} s at {checks.LOAD_RATE} "
        f"requests/s", f"each within {workload.TOLERANCE:.0%}",
        f"unique under {checks.WRITERS} simultaneous writers")


@pytest.mark.parametrize("seed", range(20))
def test_redirect_check_sends_the_urls_the_readme_describes(seed: int) -> None:
    """Each careful URL holds every kind of character the README says must come back as
    posted, is ASCII, valid by the README's rules, and the long one is exactly at the
    limit."""
    ctx = SimpleNamespace(random=random.Random(seed))
    for url in (checks.careful_url(ctx), checks.careful_url(ctx, checks.MAX_URL)):
        parts = urlsplit(url)
        assert url.isascii() and not any(ch.isspace() for ch in url)
        assert parts.scheme == "https" and parts.hostname
        assert "%20" in parts.path and re.search(r"%[89A-F][0-9A-F]", parts.path)
        assert all(text in parts.query for text in ("&", "=", "+", "%26", "%3D"))
        assert parts.fragment
        assert unquote(url) != url
    assert len(url) == checks.MAX_URL
