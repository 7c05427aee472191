"""Wall time of `archlab grade LAB DIR` as a grader in CI runs it: median per backend.

    .venv/bin/python bench/grade_wall.py [rest-api] [--dir labs/rest_api/solution]
        [--runs 5] [--backend docker --backend process]

Each run is the real command line in a fresh process (sandbox start, every check, report),
so the figure includes everything a CI job waits for. Prints each run's time, score and
exit code, then the median per backend.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from labs.catalog import get_lab

ARCHLAB = str(Path(sys.executable).parent / "archlab")


def grade_once(lab: str, directory: Path, backend: str) -> tuple[float, str, int]:
    """(seconds, "score/max", exit code) of one `archlab grade` run."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "result.json"
        started = time.perf_counter()
        done = subprocess.run([ARCHLAB, "grade", lab, str(directory), "--backend", backend,
                               "--format", "json", "-o", str(report)],
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if not report.exists():
            return seconds, f"no report ({done.stderr.strip()[-200:]})", done.returncode
        result = json.loads(report.read_text())
        return seconds, f"{result['score']:g}/{result['max_score']:g}", done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", nargs="?", default="rest-api")
    parser.add_argument("--dir", type=Path, help="what to grade (default: the lab's solution)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", action="append", choices=["docker", "process"])
    args = parser.parse_args()
    directory = args.dir or get_lab(args.lab).root / "solution"
    for backend in args.backend or ["docker", "process"]:
        times = []
        for run in range(1, args.runs + 1):
            seconds, score, code = grade_once(args.lab, directory, backend)
            times.append(seconds)
            print(f"{backend:8} run {run}: {seconds:6.2f} s  score {score}  exit {code}")
        print(f"{backend:8} median of {args.runs}: {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
