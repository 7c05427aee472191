"""The cache-aside checks against the solution moved to the edges its README allows.

The reference evicts at once, resubscribes half a second after Redis drops it, rests its
breaker one second and answers a 404 with the origin's JSON; the README allows eviction
within 1 s of the publish, resubscribing within 5 s of Redis coming back, caching again
within 10 s of it, and any body on a 404. Each test moves one of those to its edge and runs
only the checks it touches (with what they need): they must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from tests.support import edge_copy

EVICT = '                    cache.evict(message["data"].decode())\n'


def grade_at_the_edge(tmp_path: Path, changes: dict[str, list[tuple[str, str]]],
                      *check_ids: str) -> dict[str, str]:
    return edge_copy.grade_at_the_edge(CACHE, CacheSession, tmp_path, changes, *check_ids)


@pytest.mark.slow
def test_an_eviction_late_in_its_second_passes(tmp_path: Path) -> None:
    """README: delete item:<key> within 1 s of the publish. A listener that takes 0.8 s
    (a batching or busy one) is inside it."""
    failures = grade_at_the_edge(tmp_path, {"invalidation.py": [
        (EVICT, "                    time.sleep(0.8)\n" + EVICT)]},
        "invalidation_event_evicts_within_a_second")
    assert failures == {}


@pytest.mark.slow
def test_a_listener_that_resubscribes_after_four_seconds_passes(tmp_path: Path) -> None:
    """README: subscribed again within 5 s of Redis being back. A listener that pauses 4 s
    between tries is (Redis drops it at the stop, and is back before its next try)."""
    failures = grade_at_the_edge(tmp_path, {"invalidation.py": [
        ("RETRY_DELAY_S = 0.5", "RETRY_DELAY_S = 4.0")]},
        "invalidation_survives_a_redis_restart")
    assert failures == {}


@pytest.mark.slow
def test_a_breaker_resting_seven_seconds_passes(tmp_path: Path) -> None:
    """README: cache again within 10 s of Redis being back. A breaker that leaves Redis alone
    7 s after an error (its first read after the restart meets a connection the restart
    closed, so it trips then) caches again 7 s after Redis is back, and its listener
    still evicts once it does."""
    failures = grade_at_the_edge(tmp_path, {"cache.py": [
        ("REST_S = 1.0", "REST_S = 7.0")]},
        "redis_outage_falls_back_to_the_origin", "invalidation_survives_a_redis_restart")
    assert failures == {}


@pytest.mark.slow
def test_a_404_with_an_empty_body_passes(tmp_path: Path) -> None:
    """README: 404 (any body) when the origin answers 404. An empty text body is one."""
    failures = grade_at_the_edge(tmp_path, {"app.py": [
        ('(jsonify(error="not_found"), 404)', '("", 404, {"Content-Type": "text/plain"})')]},
        "missing_items_are_not_cached_forever", "redis_outage_falls_back_to_the_origin")
    assert failures == {}
