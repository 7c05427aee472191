"""The rate-limiter checks against the solution moved to the edges its README allows.

The reference asks Redis on every request, so it limits again with the first request after
Redis is back, and fails open at once. The README allows any way back as long as it limits
again within 8 s of Redis starting again (a breaker that leaves a failed Redis alone for a
while is one), and a fail-open answer within a second. Each test moves the solution to one
of those edges (a 6 s breaker, 0.9 s to fail open) and runs only the check it touches
(with what it needs): it must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from limiter_lab import LIMITER, LimiterSession

from tests.support import edge_copy

TAKE = ("        taken, tokens = self.take_script(keys=[BUCKET_KEY.format(api_key)],\n"
        "                                         args=[self.capacity, self.rate])\n")


@pytest.mark.slow
def test_a_breaker_resting_six_seconds_passes(tmp_path: Path) -> None:
    """After a Redis error the limiter fails open without asking Redis for 6 s. The one
    request while Redis is stopped trips it, so the limit is back at most 6 s after that
    request: within the 8 s of Redis starting again."""
    breaker = ('        if time.monotonic() < getattr(self, "resting_until", 0.0):\n'
               '            raise redis.ConnectionError("resting after a Redis error")\n'
               "        try:\n"
               + "".join("    " + line for line in TAKE.splitlines(keepends=True)) +
               "        except redis.RedisError:\n"
               "            self.resting_until = time.monotonic() + 6\n"
               "            raise\n")
    failures = edge_copy.grade_at_the_edge(LIMITER, LimiterSession, tmp_path, {
        "limiter.py": [("import math\n", "import math\nimport time\n"), (TAKE, breaker)]},
        "redis_down_fails_open")
    assert failures == {}


@pytest.mark.slow
def test_a_fail_open_answer_after_nine_tenths_of_a_second_passes(tmp_path: Path) -> None:
    """README: while Redis is down, 200 with the echo "within a second". A service that
    spends 0.9 s on Redis before it fails open (a connect timeout and one retry, say) is
    inside it."""
    failures = edge_copy.grade_at_the_edge(LIMITER, LimiterSession, tmp_path, {"app.py": [
        ('            log.warning("redis unavailable, not limiting: %s", exc)\n',
         '            log.warning("redis unavailable, not limiting: %s", exc)\n'
         '            __import__("time").sleep(0.9)\n')]},
        "redis_down_fails_open")
    assert failures == {}
