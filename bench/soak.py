"""The durability soak, standalone: prints its figures (the test asserts on the same run).

    .venv/bin/python -m bench.soak [--learners 20] [--per-learner 5] [--workers 3]
        [--kills 6] [--seed 6] [--keep]

Starts a throwaway PostgreSQL, then runs tests/soak/scenario.py: learners submit to
`archlab serve`, RQ workers grade on Docker while workers are SIGKILLed, Redis restarts and
the web process is killed; the database and Docker are checked at the end. Needs a Docker
engine, redis-server and PostgreSQL (Debian packages). --keep leaves the logs in place.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace

from sandboxes.local_servers import scratch_dir, start_postgres
from tests.soak.faults import FaultPlan
from tests.soak.scenario import SoakPlan, run_soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = SoakPlan()
    parser.add_argument("--learners", type=int, default=defaults.learners)
    parser.add_argument("--per-learner", type=int, default=defaults.per_learner)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--kills", type=int, default=defaults.faults.max_kills)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--keep", action="store_true", help="Keep the logs folder.")
    args = parser.parse_args()
    plan = replace(defaults, learners=args.learners, per_learner=args.per_learner,
                   workers=args.workers, seed=args.seed,
                   faults=FaultPlan(max_kills=args.kills))
    workdir = scratch_dir("soak-")
    postgres = start_postgres(workdir / "postgres", database="soak")
    try:
        report = run_soak(postgres.url, workdir, plan)
    finally:
        postgres.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report.figures())
    for violation in report.violations:
        print(f"VIOLATION {violation}")
    if args.keep:
        print(f"logs in {workdir}")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
