"""The soak scenario in one place, used by tests/soak/test_soak.py and bench/soak.py:
learners submit through `archlab serve` while faults hit the workers, Redis and the web
process; then the checker reads the database and Docker is asked what is left.

    report = run_soak(database_url, workdir, SoakPlan())
    print(report.figures()); assert not report.violations
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.grading.grading_helpers import add_user
from tests.soak.checker import Findings, check, graded_count, in_flight_count
from tests.soak.cluster import Cluster, soak_app, soak_labs_root
from tests.soak.faults import FaultLog, FaultPlan, Faults
from tests.soak.workload import Tally, run_learners


@dataclass(frozen=True)
class SoakPlan:
    learners: int = 20
    per_learner: int = 5
    workers: int = 4
    lease_s: float = 4.0
    timeout_s: float = 300.0  # submitting and grading everything, faults included
    seed: int = 6
    faults: FaultPlan = field(default_factory=FaultPlan)

    @property
    def submissions(self) -> int:
        return self.learners * self.per_learner


@dataclass
class SoakReport:
    plan: SoakPlan
    findings: Findings
    faults: FaultLog
    tally: Tally
    leftover_sandboxes: list[str]
    learner_errors: list[str]
    duration_s: float

    @property
    def violations(self) -> list[str]:
        leftovers = ([f"expected no sandbox left behind, found "
                      f"{', '.join(self.leftover_sandboxes)}"] if self.leftover_sandboxes else [])
        short = ([f"expected {self.plan.submissions} submissions stored, got "
                  f"{self.findings.submissions}"]
                 if self.findings.submissions < self.plan.submissions else [])
        return [*self.learner_errors, *short, *self.findings.violations, *leftovers]

    def figures(self) -> str:
        f = self.findings
        minutes = f.wall_s / 60 if f.wall_s else float("nan")
        lines = [
            f"submissions          {f.submissions} ({len(self.tally.acknowledged)} acknowledged, "
            f"{self.tally.uncertain} uncertain)",
            f"learners             {self.plan.learners}",
            f"workers              {self.plan.workers} (lease {self.plan.lease_s:g}s)",
            f"worker kills         {self.faults.kills}",
            f"redis restarts       {self.faults.redis_restarts}",
            f"web restarts         {self.faults.web_restarts}",
            f"wall time            {f.wall_s:.1f}s (first stored -> last graded); "
            f"run {self.duration_s:.1f}s",
            f"grades/min           {f.graded / minutes:.1f}",
            f"retries              {f.retries} (claims after a lost worker + sandbox re-runs)",
            f"max queue wait       {f.max_queue_wait_s:.1f}s",
            f"learner retries      {self.tally.refused_busy} x 429, {self.tally.site_down} x "
            f"site down, {self.tally.server_errors} x 5xx",
            f"duplicates           {len(f.duplicated)}",
            f"lost                 {len(f.lost)}",
            f"charged              {len(f.charged)}",
            f"leftover sandboxes   {len(self.leftover_sandboxes)}",
        ]
        return "\n".join([*lines, "faults:", *(f"  {e}" for e in self.faults.events)])


def run_soak(database_url: str, workdir: Path, plan: SoakPlan) -> SoakReport:
    """Run the whole scenario against `database_url` (an empty database); bounded by the plan's
    timeout, and every process it started is stopped before it returns."""
    began = time.monotonic()
    labs_root, lab_id = soak_labs_root(workdir)
    app = soak_app(database_url, labs_root)
    emails = [f"learner{n:02d}@example.org" for n in range(plan.learners)]
    for email in emails:
        add_user(app, email)
    rng = random.Random(plan.seed)
    tally = Tally()
    cluster = Cluster(app, lab_id, workdir, plan.lease_s)
    deadline = time.monotonic() + plan.timeout_s
    try:
        cluster.start(plan.workers)
        faults = Faults(cluster, plan.faults, rng, plan.submissions,
                        acknowledged=lambda: len(tally.acknowledged),
                        graded=lambda: graded_count(app, lab_id))
        faults.start()
        try:
            errors = run_learners(cluster.base_url, emails, lab_id, plan.per_learner, rng,
                                  deadline, tally)
            while in_flight_count(app, lab_id) and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            faults.stop()
        findings = check(app, lab_id, set(tally.acknowledged), settle_s=2 * plan.lease_s)
        cluster.stop_workers()
        leftovers = cluster.leftover_sandboxes()
    finally:
        cluster.stop()
    return SoakReport(plan, findings, faults.log, tally, leftovers, errors,
                      time.monotonic() - began)
