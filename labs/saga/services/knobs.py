"""Fault knobs of one stub: what the next calls of an action suffer.

The grader sets them through POST /admin/faults; each knob counts down as calls use it, so
"fail the next 2 charges" affects exactly two calls, whichever orders they belong to.
"""

import threading

KNOB_NAMES = ("fail_next", "fail_status", "delay_next", "delay_ms", "crash_next")


class Knobs:
    """Per-action counters: fail (answer an error, do nothing), delay (sleep, then work),
    crash (do the work, then drop the connection without an answer)."""

    def __init__(self, actions):
        self.actions = tuple(actions)
        self._lock = threading.Lock()
        self._knobs = {}
        self.reset()

    def reset(self):
        with self._lock:
            self._knobs = {action: {"fail_next": 0, "fail_status": 503, "delay_next": 0,
                                    "delay_ms": 0, "crash_next": 0} for action in self.actions}

    def set(self, action, values):
        """Merge `values` into the action's knobs; raise ValueError on a bad name or value."""
        if action not in self._knobs:
            raise ValueError(f"unknown action {action!r}; expected one of {list(self.actions)}")
        for name, value in values.items():
            if name not in KNOB_NAMES:
                raise ValueError(f"unknown knob {name!r}; expected one of {list(KNOB_NAMES)}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"knob {name!r} must be a non-negative integer, got {value!r}")
        with self._lock:
            self._knobs[action].update(values)

    def snapshot(self):
        with self._lock:
            return {action: dict(knobs) for action, knobs in self._knobs.items()}

    def take(self, action):
        """Consume this call's share of the knobs: (fail_status or None, delay_s, crash)."""
        with self._lock:
            knobs = self._knobs[action]
            if knobs["fail_next"] > 0:
                knobs["fail_next"] -= 1
                return knobs["fail_status"], 0.0, False
            delay = 0.0
            if knobs["delay_next"] > 0:
                knobs["delay_next"] -= 1
                delay = knobs["delay_ms"] / 1000
            crash = knobs["crash_next"] > 0
            if crash:
                knobs["crash_next"] -= 1
            return None, delay, crash
