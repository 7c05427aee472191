"""Sandbox start and teardown per backend and topology, against the floor measured in the same run.

    .venv/bin/python -m bench.sandbox_start [--runs 5] [--backend docker|process ...]

The floors: a bare `docker run --rm IMAGE true` of the lab image (Docker) and a bare process
spawn of `python3 -c pass` (process backend), each timed the same number of times between the
sandbox runs, so a busy machine slows floor and sandbox alike. Start is until every service
answers (what a grade waits for); the ratio is (start + close) over the floor, median over
median. Writes bench/results/sandbox_start.json with the load average.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.figures import Summary, spread
from sandboxes import Readiness, ServiceSpec, Topology, get_backend
from sandboxes.images.recipe import runtime_image
from sandboxes.selection import docker_engine

APP = """\
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
"""
FLOORS = {"docker": lambda: ["docker", "run", "--rm", runtime_image(), "true"],
          "process": lambda: ["python3", "-c", "pass"]}


def topologies(source: Path) -> dict[str, Topology]:
    def app(**env: str) -> ServiceSpec:
        return ServiceSpec(name="app", kind="app", command=["python3", "app.py"], source=source,
                           env=env, ready=Readiness(http="/", timeout=30))

    return {"app": Topology([app()]),
            "app+postgres": Topology([app(DATABASE_URL="${db.url}"),
                                      ServiceSpec(name="db", kind="postgres")]),
            "app+postgres+redis": Topology([app(DATABASE_URL="${db.url}",
                                                REDIS_URL="${cache.url}"),
                                            ServiceSpec(name="db", kind="postgres"),
                                            ServiceSpec(name="cache", kind="redis")])}


def floor_once(backend_name: str) -> float:
    began = time.perf_counter()
    subprocess.run(FLOORS[backend_name](), check=True, capture_output=True)
    return time.perf_counter() - began


def session_once(backend: Any, topology: Topology, run: int) -> tuple[float, float]:
    """(start until ready, close) in seconds of one session."""
    began = time.perf_counter()
    session = backend.start(topology, session_id=f"bench-{run}", deadline_s=120)
    started = time.perf_counter() - began
    began = time.perf_counter()
    session.close()
    return started, time.perf_counter() - began


def measure(backend_name: str, source: Path, runs: int) -> list[dict[str, object]]:
    backend = get_backend(backend_name)
    floors: list[float] = []
    samples: dict[str, tuple[list[float], list[float]]] = {}
    for run in range(runs):  # interleaved: floor, then each topology, run after run
        floors.append(floor_once(backend_name))
        for name, topology in topologies(source).items():
            start, close = session_once(backend, topology, run)
            samples.setdefault(name, ([], []))[0].append(start)
            samples[name][1].append(close)
    floor = statistics.median(floors)
    rows = [{"backend": backend_name, "topology": "floor: " + " ".join(FLOORS[backend_name]()),
             "start_s": spread(floors), "close_s": None, "ratio": 1.0}]
    for name, (starts, closes) in samples.items():
        both = statistics.median(starts) + statistics.median(closes)
        rows.append({"backend": backend_name, "topology": name, "start_s": spread(starts),
                     "close_s": spread(closes), "ratio": round(both / floor, 2)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=["docker", "process"], action="append")
    args = parser.parse_args()
    backends = args.backend or (["docker", "process"] if docker_engine()[0] else ["process"])
    summary = Summary("sandbox_start", "python -m bench.sandbox_start",
                      {"runs": args.runs, "backends": backends})
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder)
        (source / "app.py").write_text(APP)
        source.chmod(0o755)
        for backend_name in backends:
            rows += measure(backend_name, source, args.runs)
    print(f"{'backend':8} {'topology':44} {'start med':>9} {'p95':>6} {'close med':>9} "
          f"{'(start+close)/floor':>20}")
    for row in rows:
        close = row["close_s"]["median"] if row["close_s"] else 0.0
        print(f"{row['backend']:8} {row['topology']:44} {row['start_s']['median']:8.2f}s "
              f"{row['start_s']['p95']:5.2f}s {close:8.2f}s {row['ratio']:19.2f}x")
    summary["results"] = rows
    summary.write()


if __name__ == "__main__":
    main()
