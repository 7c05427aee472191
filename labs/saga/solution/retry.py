"""Retrying a call whose outcome is unknown: exponential backoff with full jitter."""

import logging
import random
import time

log = logging.getLogger("saga")


class Transient(Exception):
    """The call's outcome is unknown (timeout, lost connection, 5xx): try it again."""


def until_definite(call, on_retry=None, base: float = 0.05, cap: float = 1.0):
    """Call `call()` until it stops raising Transient, sleeping between attempts.

    There is no attempt limit: every call the saga makes is idempotent, and giving up on an
    unknown outcome would mean guessing it. `on_retry()` runs before each new attempt.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Transient as unknown:
            log.warning("attempt %d failed (%s); retrying", attempt + 1, unknown)
        time.sleep(random.uniform(0, min(cap, base * 2 ** attempt)))
        attempt += 1
        if on_retry is not None:
            on_retry()
