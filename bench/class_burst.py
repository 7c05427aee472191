"""A class submits at once: N reference submissions queued together, graded by 1 and 2 workers.

    .venv/bin/python -m bench.class_burst [--submissions 60] [--workers 1 --workers 2]
        [--lab rest-api ...] [--backend docker|process] [--flood 10]

Each submission comes from its own learner and goes through the site's real queue (the
embedded pool of `archlab serve`). With several `--lab`s the submissions take turns among
them (a mix of labs). Prints, per worker count: time until every submission is graded,
grades per minute, queue wait (median, p95, max), submit to score p95, and each submission
that did not end with full marks. `--flood N`: one learner submits N times at once, and the
in-flight limit (GRADING_IN_FLIGHT_LIMIT, 2) must refuse all but two with a 429.
Writes bench/results/class_burst.json with the load average.
"""

from __future__ import annotations

import argparse
import time
from itertools import cycle

from bench.figures import Summary, spread
from bench.queue_site import learner, queue_site, reference_files, submit_as, wait_graded
from sandboxes.selection import docker_engine
from webapp.grading.service import TooManyInFlight


def burst(backend: str, workers: int, labs: list[str], count: int) -> dict[str, object]:
    files = {lab: reference_files(lab) for lab in labs}
    with queue_site(backend, workers) as app:
        users = [learner(app, n) for n in range(count)]
        began = time.monotonic()
        ids = [submit_as(app, user, lab, files[lab]) for user, lab in zip(users, cycle(labs),
                                                                             strict=False)]
        rows = wait_graded(app, ids)
        took = time.monotonic() - began
    bad = [f"#{row.id} {row.status}/{row.verdict}" for row in rows if not row.full_marks]
    result = {"workers": workers, "submissions": count, "labs": labs,
              "all_graded_s": round(took, 2), "grades_per_min": round(60 * count / took, 1),
              "queue_wait_s": spread([row.queue_wait_s for row in rows]),
              "submit_to_score_s": spread([row.submit_to_score_s for row in rows]),
              "not_full_marks": bad}
    wait = result["queue_wait_s"]
    print(f"{backend} {workers} worker(s), {count} submissions of {'+'.join(labs)}: all graded "
          f"in {took:.1f} s ({result['grades_per_min']} grades/min); queue wait median "
          f"{wait['median']:.1f} s, p95 {wait['p95']:.1f} s, max {wait['max']:.1f} s; submit "
          f"to score p95 {result['submit_to_score_s']['p95']:.1f} s; not full marks: "
          f"{', '.join(bad) or 'none'}", flush=True)
    return result


def flood(backend: str, lab: str, count: int) -> dict[str, int]:
    """One learner submitting `count` times at once: how many the in-flight limit refuses."""
    with queue_site(backend, workers=1) as app:
        app.config["GRADING_IN_FLIGHT_LIMIT"] = 2
        user, accepted, refused = learner(app, 0), [], 0
        for _ in range(count):
            try:
                accepted.append(submit_as(app, user, lab, reference_files(lab)))
            except TooManyInFlight:
                refused += 1
        wait_graded(app, accepted)
    print(f"one learner, {count} at once: {len(accepted)} accepted, {refused} refused (429)")
    return {"submitted": count, "accepted": len(accepted), "refused": refused}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--lab", action="append")
    parser.add_argument("--backend", choices=["docker", "process"])
    parser.add_argument("--flood", type=int, default=0)
    args = parser.parse_args()
    backend = args.backend or ("docker" if docker_engine()[0] else "process")
    labs, workers = args.lab or ["rest-api"], args.workers or [1, 2]
    summary = Summary(f"class_burst_{'+'.join(labs)}_{backend}", "python -m bench.class_burst",
                      {"submissions": args.submissions, "workers": workers, "labs": labs,
                       "backend": backend})
    summary["bursts"] = [burst(backend, count, labs, args.submissions) for count in workers]
    if args.flood:
        summary["flood"] = flood(backend, labs[0], args.flood)
    summary.write()


if __name__ == "__main__":
    main()
