"""Grade latency of every lab's reference solution through the site's real queue, per backend.

    .venv/bin/python -m bench.grade_latency [--lab rest-api ...] [--backend docker|process ...]
        [--runs 10] [--out FILE]

One submission at a time (one embedded worker, as `archlab serve` runs it): from submit to the
final score, median and p95, broken into queue wait (stored to claimed), sandbox start
(containers or processes created and started, without the readiness waits), service ready
(waiting for every service to answer), checks, teardown, and the rest (snapshot, storing rows),
and the lab's slowest checks by their median duration (which of them wait on purpose).
A lab its backend cannot grade (ship-it needs Docker) is left out. Writes
bench/results/grade_latency.json (or --out) after every lab, so a run stopped part way keeps
the labs it finished; each lab's row carries the load average before and after its grades.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.figures import Summary, load_average, spread
from bench.queue_site import learner, queue_site, reference_files, submit_as, wait_graded
from labs.catalog import all_labs
from sandboxes import get_backend
from sandboxes.selection import docker_engine

SPANS = ("sandbox_start_s", "service_ready_s", "checks_s", "teardown_s")
SLOWEST_CHECKS = 3  # the checks a row names with their median duration


def grade_lab(backend: str, lab_id: str, runs: int) -> dict[str, object]:
    """`runs` grades of `lab_id`'s reference, one after the other, summarised with the load
    average before and after this lab's grades (a run over every lab takes many minutes)."""
    load_before = load_average()
    files = reference_files(lab_id)
    totals, parts = [], {name: [] for name in ("queue_wait_s", *SPANS, "other_s")}
    failures, check_s = [], {}
    with queue_site(backend, workers=1) as app:
        user = learner(app, 0)
        for run in range(1, runs + 1):
            graded = wait_graded(app, [submit_as(app, user, lab_id, files)])[0]
            total = graded.submit_to_score_s
            totals.append(total)
            spans = {name: graded.timings.get(name, 0.0) for name in SPANS}
            parts["queue_wait_s"].append(graded.queue_wait_s)
            for name, value in spans.items():
                parts[name].append(value)
            parts["other_s"].append(max(0.0, total - graded.queue_wait_s - sum(spans.values())))
            for check, seconds in graded.check_s.items():
                check_s.setdefault(check, []).append(seconds)
            if not graded.full_marks:
                failures.append(f"run {run}: {graded.status}/{graded.verdict}")
            print(f"  {backend:7} {lab_id:12} run {run:2}: {total:6.2f} s  queue "
                  f"{graded.queue_wait_s:5.2f}  " + "  ".join(
                      f"{name[:-2]} {value:5.2f}" for name, value in spans.items())
                  + ("" if graded.full_marks else f"  NOT FULL MARKS ({graded.verdict})"),
                  flush=True)
    checks = sorted(((round(statistics.median(values), 2), check)
                     for check, values in check_s.items()), reverse=True)
    return {"lab": lab_id, "backend": backend, "total_s": spread(totals),
            "slowest_checks_median_s": {check: s for s, check in checks[:SLOWEST_CHECKS]},
            "spans_median_s": {name: spread(values)["median"] for name, values in parts.items()},
            "not_full_marks": failures, "load_before": load_before,
            "load_after": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", action="append", help="lab id (default: every lab)")
    parser.add_argument("--backend", action="append", choices=["docker", "process"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, help="summary file (default: "
                        "bench/results/grade_latency.json)")
    args = parser.parse_args()
    backends = args.backend or (["docker", "process"] if docker_engine()[0] else ["process"])
    labs = [lab for lab in all_labs() if not args.lab or lab.id in args.lab]
    summary = Summary("grade_latency", "python -m bench.grade_latency",
                      {"labs": [lab.id for lab in labs], "backends": backends,
                       "runs": args.runs})
    rows = []
    for backend in backends:
        for lab in labs:
            if lab.needs_beyond(get_backend(backend)) is not None:
                print(f"  {backend:7} {lab.id:12} not gradable on this backend: left out")
                continue
            rows.append(grade_lab(backend, lab.id, args.runs))
            summary["results"] = rows
            summary.write(args.out)
    print(f"\n{'backend':8}{'lab':14}{'median':>8}{'p95':>8}  median spans: queue / start / "
          f"ready / checks / teardown / other (s)")
    for row in rows:
        total, spans = row["total_s"], row["spans_median_s"]
        print(f"{row['backend']:8}{row['lab']:14}{total['median']:8.2f}{total['p95']:8.2f}  "
              + " / ".join(f"{value:.2f}" for value in spans.values())
              + (f"  not full marks: {row['not_full_marks']}" if row["not_full_marks"] else ""))


if __name__ == "__main__":
    main()
