"""The cache-aside verdicts that a busy grader used to decide: each is now proven by what the
origin saw, not by when answers came.

The Zipf check judged the service's p50 against the origin's: on a loaded machine the
service's hits (CPU) slow down while the origin's 150 ms wait does not, and the reference's
p50 came within reach of the origin's. It now counts the origin's reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from tests.support import edge_copy
from tests.support.direct_checks import run_checks, with_needs
from tests.support.lab_processes import opened

ZIPF = "zipf_load_beats_the_no_cache_baseline"
HIT = "            return cached.item, HIT\n"


def graded(source: Path, tmp_path: Path, check: str) -> tuple[dict[str, str], dict[str, float]]:
    """Failures and metrics of `check` (with what it needs) against the app in `source`."""
    with opened(CacheSession(source, tmp_path)) as session:
        failures, grade = run_checks(CACHE, session, seed=19, only=with_needs(CACHE, check))
        log = session.logs("app", 30)
    return ({check_id: f"{message}\n--- app log:\n{log}"
             for check_id, message in failures.items()},
            {metric["name"]: metric["value"] for metric in grade.metrics})


@pytest.mark.slow
def test_hits_as_slow_as_the_origin_still_pass_the_zipf_check(tmp_path: Path) -> None:
    """A stand-in for a CPU-starved service on a busy grader: every hit takes 150 ms, about
    the origin's own latency. The cache still spares the origin every repeated read, which
    is what the check grades now; the p50 comparison failed it (and failed the reference at
    load 19-27), and the p50s are still reported."""
    source = edge_copy.solution_at_the_edge(CACHE, tmp_path / "slow_hits", {"items.py": [
        (HIT, "            __import__('time').sleep(0.15)\n" + HIT)]})
    failures, metrics = graded(source, tmp_path, ZIPF)
    assert failures == {}
    assert metrics["p50 through the cache"] > metrics["p50 without a cache"] / 2
    assert metrics["hit ratio"] >= 0.6


@pytest.mark.slow
def test_a_cache_that_lets_the_load_through_fails_the_zipf_check_by_the_origin_count(
        tmp_path: Path) -> None:
    """The check keeps its teeth without a clock: a service that never finds the load's keys
    in Redis (it caches the first check's key, so miss_then_hit passes) sends a read to the
    origin for each of them, and the origin's counters say so."""
    source = edge_copy.solution_at_the_edge(CACHE, tmp_path / "leaky", {"cache.py": [(
        '        raw = self._call("read", key, self.client.get, entry_key(key))\n',
        '        if key.startswith("zipf-"):\n'
        '            return None\n'
        '        raw = self._call("read", key, self.client.get, entry_key(key))\n')]})
    failures, metrics = graded(source, tmp_path, ZIPF)
    assert set(failures) == {ZIPF}, failures
    assert failures[ZIPF].startswith("expected at most 160 origin reads for the 400 reads of "), \
        failures[ZIPF]
    assert " distinct keys sent through your service (a hit ratio of at least 60%; " in \
        failures[ZIPF]
    assert metrics["hit ratio"] < 0.6
