"""An open-loop load: requests leave on a fixed schedule, whether or not earlier ones came back.

A closed loop (send, wait, send again) slows down with the server it measures and hides its
worst moments: while one request is stuck no other is sent (coordinated omission). Here
request i is due at i / rate seconds; its latency counts from that moment, so time a request
spent waiting for a free sender is counted against the service too, as a user would feel it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

SENDERS = 64   # threads sending at once: room for 0.6 s of backlog at 100 requests/s


@dataclass(frozen=True)
class Outcome:
    due: float            # seconds after the start when the request was due
    latency_ms: float     # from when it was due to when its answer ended (or failed)
    error: str | None     # why it does not count as a success; None when it does


def run(send: Callable[[int], str | None], rate: float, seconds: float) -> list[Outcome]:
    """Call send(i) for i in range(rate * seconds), each at its due time, from SENDERS
    threads; send returns None for a success or says what was wrong (an exception it raises
    ends the run, once every request has ended)."""
    total = round(rate * seconds)
    start = time.monotonic() + 0.05

    def one(index: int) -> Outcome:
        due = start + index / rate
        error = send(index)
        return Outcome(due - start, (time.monotonic() - due) * 1000, error)

    with ThreadPoolExecutor(SENDERS) as pool:
        futures = []
        for index in range(total):
            time.sleep(max(0.0, start + index / rate - time.monotonic()))
            futures.append(pool.submit(one, index))
        return [future.result() for future in futures]


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
