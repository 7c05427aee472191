"""Grading latency through the site's queue, for the REST lab's reference solution.

    .venv/bin/python bench/grade_latency.py [--runs 5] [--burst 30] [--workers 2]
        [--backend docker|process]

1. One submission at a time (`--runs`): time from submit to the first check result stored and
   to the final score (medians). A browser shows a stored row at its next poll (<= 300 ms).
2. `--burst` learners submit at the same moment: throughput, longest queue wait, longest
   submit-to-score, and any submission not graded 100/100.
3. One learner submits `--burst` times at once: how many the in-flight limit refuses (429).
Runs the embedded worker pool (as `archlab serve` without REDIS_URL) on a temporary SQLite db.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask

from labs.catalog import LABS_ROOT
from sandboxes.selection import docker_engine
from webapp import create_app
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import TooManyInFlight, submit
from webapp.migrate import upgrade
from webapp.models import CheckRecord, Submission, User

SOLUTION = LABS_ROOT / "rest_api" / "solution"
POLL_S = 0.01


def solution_files() -> dict[str, bytes]:
    return {str(p.relative_to(SOLUTION)): p.read_bytes() for p in sorted(SOLUTION.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def learner(app: Flask, n: int) -> User:
    with app.app_context():
        return create_user(get_session(), f"bench{n}@example.org", f"bench {n}", "bench-pw-123")


def submit_as(app: Flask, user: User, files: dict[str, bytes]) -> int:
    with app.app_context():
        return submit(get_session(), user, "rest-api", files).id


def wait_graded(app: Flask, ids: list[int], timeout: float = 900) -> list[Submission]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            rows = [get_session().get(Submission, i) for i in ids]
            if all(row is not None and not row.in_flight for row in rows):
                return rows  # type: ignore[return-value]
        time.sleep(0.1)
    raise TimeoutError(f"submissions {ids} not graded within {timeout:g}s")


def one_at_a_time(app: Flask, user: User, files: dict[str, bytes], runs: int) -> None:
    firsts, finals = [], []
    for _ in range(runs):
        began = time.monotonic()
        submission_id = submit_as(app, user, files)
        first = None
        while True:
            with app.app_context():
                session = get_session()
                if first is None and session.query(CheckRecord).filter_by(
                        submission_id=submission_id).count():
                    first = time.monotonic() - began
                if not session.get(Submission, submission_id).in_flight:
                    break
            time.sleep(POLL_S)
        finals.append(time.monotonic() - began)
        firsts.append(first if first is not None else finals[-1])
    print(f"submit -> first check stored: median {statistics.median(firsts):.2f}s "
          f"(runs: {', '.join(f'{t:.2f}' for t in firsts)})")
    print(f"submit -> final score:        median {statistics.median(finals):.2f}s "
          f"(runs: {', '.join(f'{t:.2f}' for t in finals)})")


def burst(app: Flask, users: list[User], files: dict[str, bytes]) -> None:
    began = time.monotonic()
    ids = [submit_as(app, user, files) for user in users]
    rows = wait_graded(app, ids)
    took = time.monotonic() - began
    waits = [(r.started_at - r.created_at).total_seconds() for r in rows]
    totals = [(r.finished_at - r.created_at).total_seconds() for r in rows if r.finished_at]
    bad = [f"#{r.id} {r.status}/{r.verdict} {r.score}" for r in rows
           if (r.status, r.score) != ("graded", r.max_score)]
    print(f"{len(ids)} learners at once: all done in {took:.1f}s "
          f"({60 * len(ids) / took:.1f} grades/min); queue wait max {max(waits):.1f}s, "
          f"median {statistics.median(waits):.1f}s; submit->score max {max(totals):.1f}s; "
          f"not full marks: {', '.join(bad) or 'none'}")


def flood(app: Flask, user: User, files: dict[str, bytes], count: int) -> None:
    accepted, refused = [], 0
    for _ in range(count):
        try:
            accepted.append(submit_as(app, user, files))
        except TooManyInFlight:
            refused += 1
    wait_graded(app, accepted)
    print(f"one learner, {count} at once: {len(accepted)} accepted, {refused} refused (429)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["docker", "process"])
    args = parser.parse_args()
    backend = args.backend or ("docker" if docker_engine()[0] else "process")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "ARCHLAB_SANDBOX": backend,
                          "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"})
        upgrade(app.config["DATABASE_URL"])
        pool = EmbeddedPool(app, workers=args.workers).start()
        print(f"backend {backend}, embedded pool of {args.workers} workers, SQLite")
        files = solution_files()
        try:
            one_at_a_time(app, learner(app, 0), files, args.runs)
            burst(app, [learner(app, n) for n in range(1, args.burst + 1)], files)
            flood(app, learner(app, args.burst + 1), files, args.burst)
        finally:
            pool.stop(timeout=300)


if __name__ == "__main__":
    main()
