"""The soak's faults, driven by progress so each one lands while there is work to lose:
random SIGKILLs of workers (each replaced a moment later, as a service manager would), one
Redis restart while submissions are queued, one web restart while learners are submitting.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.soak.cluster import Cluster

REPLACE_AFTER_S = 1.0


@dataclass(frozen=True)
class FaultPlan:
    max_kills: int = 6
    kill_every_s: tuple[float, float] = (4.0, 9.0)  # random gap between two kills
    redis_restart_at: int = 30  # submissions acknowledged
    web_restart_at: int = 60  # submissions acknowledged
    kills_until: float = 0.85  # share of all submissions graded


@dataclass
class FaultLog:
    kills: int = 0
    redis_restarts: int = 0
    web_restarts: int = 0
    events: list[str] = field(default_factory=list)

    def note(self, started: float, what: str) -> None:
        self.events.append(f"{time.monotonic() - started:6.1f}s {what}")


class Faults(threading.Thread):
    """Injects the plan's faults until `stop()`; reads progress through two callables."""

    def __init__(self, cluster: Cluster, plan: FaultPlan, rng: random.Random, total: int,
                 acknowledged: Callable[[], int], graded: Callable[[], int]) -> None:
        super().__init__(name="soak-faults", daemon=True)
        self.cluster, self.plan, self.rng, self.total = cluster, plan, rng, total
        self.acknowledged, self.graded = acknowledged, graded
        self.log = FaultLog()
        self.stopping = threading.Event()
        self.started = time.monotonic()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)

    def run(self) -> None:
        next_kill = self.started + self.rng.uniform(*self.plan.kill_every_s)
        while not self.stopping.wait(0.2):
            if not self.log.redis_restarts and self.acknowledged() >= self.plan.redis_restart_at:
                self.cluster.restart_redis()
                self.log.redis_restarts += 1
                self.log.note(self.started, "Redis restarted")
            if not self.log.web_restarts and self.acknowledged() >= self.plan.web_restart_at:
                self.cluster.restart_web()
                self.log.web_restarts += 1
                self.log.note(self.started, "web killed and restarted")
            if (time.monotonic() >= next_kill and self.log.kills < self.plan.max_kills
                    and self.graded() < self.plan.kills_until * self.total):
                self.kill_one()
                next_kill = time.monotonic() + self.rng.uniform(*self.plan.kill_every_s)

    def kill_one(self) -> None:
        self.cluster.kill_worker(self.rng.randrange(len(self.cluster.workers)))
        self.log.kills += 1
        self.log.note(self.started, f"worker SIGKILLed ({len(self.cluster.workers)} left)")
        if not self.stopping.wait(REPLACE_AFTER_S):
            self.cluster.start_worker()
