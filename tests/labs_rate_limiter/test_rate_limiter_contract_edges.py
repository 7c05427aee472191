"""The rate-limiter checks against the solution moved to the edges its README allows.

The reference asks Redis on every request, so it limits again with the first request after
Redis is back. The README allows any way back as long as it limits again within 8 s of
Redis starting again: a breaker that leaves a failed Redis alone for a while is one. The
test moves the solution to a 6 s breaker and runs only the check it touches (with what it
needs): it must pass.
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
