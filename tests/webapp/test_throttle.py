"""LoginThrottle: five failures within the window block; time or a success unblocks."""

from __future__ import annotations

from webapp.auth.throttle import LoginThrottle

KEY = ("ada@example.org", "127.0.0.1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_until_the_window_passes():
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=300, clock=clock)
    for _ in range(4):
        throttle.failed(KEY)
    assert throttle.retry_after(KEY) == 0
    throttle.failed(KEY)
    assert 299 <= throttle.retry_after(KEY) <= 301
    clock.now += 301
    assert throttle.retry_after(KEY) == 0


def test_other_keys_are_not_blocked():
    throttle = LoginThrottle(max_failures=1)
    throttle.failed(KEY)
    assert throttle.retry_after(("ada@example.org", "10.0.0.2")) == 0
    assert throttle.retry_after(("bob@example.org", "127.0.0.1")) == 0


def test_a_success_clears_the_failures():
    throttle = LoginThrottle(max_failures=2)
    throttle.failed(KEY)
    throttle.succeeded(KEY)
    throttle.failed(KEY)
    assert throttle.retry_after(KEY) == 0
