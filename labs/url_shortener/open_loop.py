"""An open-loop load: requests leave on a fixed schedule, whether or not earlier ones came back.

A closed loop (send, wait, send again) slows down with the server it measures and hides its
worst moments: while one request is stuck no other is sent (coordinated omission). Here
request i is due at i / rate seconds; its latency counts from that moment, so time a request
spent waiting for a free sender is counted against the service too, as a user would feel it.

The grader is a program on a busy machine too, and can fall behind its own schedule: a
sender that wakes late sends late, whatever the service. That delay is the grader's, so it
is measured and not counted. Each request's latency is what it would have been had the
grader been punctual: the run is replayed with SENDERS senders that send each request as
soon as it is due and a sender is free, each answer taking as long as it really took from
when its request left (`punctual`). Waiting for a free sender while all of them wait on the
service's answers still counts. A control thread that only sleeps and wakes every
CONTROL_TICK_S tells how late the grader's own threads got to run meanwhile, which also
delays reading answers (`Run.control_late_ms`); it costs the service nothing.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

SENDERS = 64          # threads sending at once: room for 0.6 s of backlog at 100 requests/s
CONTROL_TICK_S = 0.01  # the control thread wakes this often; lateness past it is starvation


@dataclass(frozen=True)
class Outcome:
    due: float            # seconds after the start when the request was due
    latency_ms: float     # from when it was due to when its answer ended (or failed), less
                          # grader_late_ms: as a punctual grader would have measured it
    grader_late_ms: float  # how much later the grader sent it than a punctual one would have
    error: str | None     # why it does not count as a success; None when it does


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    control_late_ms: float  # the most the control thread woke late, during the run

    @property
    def grader_late_ms(self) -> float:
        """The most the grader sent any request late (not counted in its latency)."""
        return max((outcome.grader_late_ms for outcome in self.outcomes), default=0.0)


def run(send: Callable[[int], str | None], rate: float, seconds: float,
        pause: Callable[[float], None] = time.sleep) -> Run:
    """Call send(i) for i in range(rate * seconds), each at its due time, from SENDERS
    threads; send returns None for a success or says what was wrong (an exception it raises
    ends the run, once every request has ended). `pause` is how the schedule waits."""
    total = round(rate * seconds)
    start = time.monotonic() + 0.05
    due = [start + index / rate for index in range(total)]
    left, ended = [0.0] * total, [0.0] * total

    def one(index: int) -> str | None:
        left[index] = time.monotonic()
        try:
            return send(index)
        finally:
            ended[index] = time.monotonic()

    with Control() as control, ThreadPoolExecutor(SENDERS) as pool:
        futures = []
        for index in range(total):
            pause(max(0.0, due[index] - time.monotonic()))
            futures.append(pool.submit(one, index))
        errors = [future.result() for future in futures]
    sent = punctual(due, left, ended)
    return Run([Outcome(due[i] - start, (sent[i] + ended[i] - left[i] - due[i]) * 1000,
                        (left[i] - sent[i]) * 1000, errors[i]) for i in range(total)],
               control.late_ms)


def punctual(due: Sequence[float], left: Sequence[float], ended: Sequence[float],
             senders: int = SENDERS) -> list[float]:
    """When each request would have left from a punctual grader: in order, as soon as it
    was due and one of `senders` was free, a sender being busy from when its request left
    until that request's answer ended as long as it really took (ended - left). Never
    later than it really left."""
    free = [min(due, default=0.0)] * senders
    sent = []
    for index, when in enumerate(due):
        leaves = min(left[index], max(when, heapq.heappop(free)))
        heapq.heappush(free, leaves + ended[index] - left[index])
        sent.append(leaves)
    return sent


class Control:
    """A thread of the grader that sleeps CONTROL_TICK_S at a time and notes how late it
    woke (`late_ms`, the most), while in `with`: how late the grader's threads got to run,
    whatever the service does."""

    def __init__(self) -> None:
        self.late_ms = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True,
                                        name="open-loop control")

    def _tick(self) -> None:
        while True:
            asked = time.monotonic()
            if self._done.wait(CONTROL_TICK_S):
                return
            self.late_ms = max(self.late_ms,
                               (time.monotonic() - asked - CONTROL_TICK_S) * 1000)

    def __enter__(self) -> Control:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value at least `fraction` of them reach."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def by_interval(outcomes: Sequence[Outcome], seconds: float) -> dict[str, list]:
    """p50 and p99 latency of the requests due in each `seconds`-long interval, as a line
    chart's {"labels", "series"}."""
    buckets: dict[int, list[float]] = {}
    for outcome in outcomes:
        buckets.setdefault(int(outcome.due // seconds), []).append(outcome.latency_ms)
    keys = sorted(buckets)
    return {"labels": [f"{key * seconds:g} s" for key in keys],
            "series": [{"name": name, "values": [round(percentile(buckets[k], q), 1)
                                                 for k in keys]}
                       for name, q in (("p50", 0.5), ("p99", 0.99))]}
