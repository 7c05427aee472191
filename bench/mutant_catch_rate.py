"""How often a lab's check catches one of its mutants: grade the mutant N times on a backend.

    .venv/bin/python bench/mutant_catch_rate.py rest-api idempotency_check_then_insert
        [--runs 20] [--backend docker] [--full]

A mutant that is caught only sometimes (a race the check provokes by luck) is a grader that
lets a wrong solution pass; this prints each grade's outcome and the catch rate. By default
a grade runs only the mutant's `caught_by` check and the checks it needs (the rest cannot
change its outcome and only add time); `--full` grades with every check, as learners are.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from labs.catalog import get_lab, load_checks, solution_dir
from labs.checks import Checks
from labs.results import Status
from labs.runner import grade
from labs.verify import apply_mutant, load_mutants
from sandboxes import get_backend


def with_prerequisites(checks: Checks, target: str) -> Checks:
    """`target` and every check it needs, directly or not, in their registered order."""
    wanted, pending = set(), [target]
    by_id = {check.id: check for check in checks}
    while pending:
        check_id = pending.pop()
        if check_id not in wanted:
            wanted.add(check_id)
            pending.extend(by_id[check_id].needs)
    subset = Checks()
    for check in checks:
        if check.id in wanted:
            subset.check(check.name, check.points, check.hint, needs=check.needs)(check.function)
    return subset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab")
    parser.add_argument("mutant")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", default="docker", choices=["docker", "process"])
    parser.add_argument("--full", action="store_true", help="grade with every check")
    args = parser.parse_args()
    lab = get_lab(args.lab)
    checks = load_checks(lab)
    mutant = next((m for m in load_mutants(lab, checks) if m.name == args.mutant), None)
    if mutant is None:
        parser.error(f"no mutant {args.mutant!r} in {lab.id}")
    graded = checks if args.full else with_prerequisites(checks, mutant.caught_by)
    backend = get_backend(args.backend)
    caught = 0
    with tempfile.TemporaryDirectory(prefix="archlab-catch-") as scratch:
        folder = Path(scratch) / mutant.name
        apply_mutant(mutant, solution_dir(lab), folder)
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            result = grade(lab, folder, backend=backend, checks=graded,
                           submission_id=f"catch-{mutant.name}-{run}")
            target = next(c for c in result.checks if c.id == mutant.caught_by)
            caught += target.status is Status.FAILED
            message = (target.message or "").splitlines()[0][:150]
            print(f"run {run:3}: {target.status.value:7} {time.perf_counter() - started:6.1f} s"
                  f"  {message}", flush=True)
    print(f"{lab.id} mutant {mutant.name} on {args.backend}: caught by {mutant.caught_by} in "
          f"{caught} of {args.runs} grades ({len(graded)} of {len(checks)} checks per grade)")


if __name__ == "__main__":
    main()
