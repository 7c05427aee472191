"""Median time to start a sandbox session (all services ready), per backend and topology.

    .venv/bin/python bench/sandbox_start.py [--runs 5] [--backend docker|process]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sandboxes import Readiness, ServiceSpec, Topology, get_backend
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


def topologies(source: Path) -> dict[str, Topology]:
    app = ServiceSpec(name="app", kind="app", command=["python3", "app.py"], source=source,
                      env={"DATABASE_URL": "${db.url}", "REDIS_URL": "${cache.url}"},
                      ready=Readiness(http="/", timeout=30))
    alone = ServiceSpec(name="app", kind="app", command=["python3", "app.py"], source=source,
                        ready=Readiness(http="/", timeout=30))
    return {"app": Topology([alone]),
            "app+postgres+redis": Topology([app, ServiceSpec(name="db", kind="postgres"),
                                            ServiceSpec(name="cache", kind="redis")])}


def measure(backend_name: str, topology: Topology, runs: int) -> tuple[float, float]:
    """(median start seconds, median close seconds)."""
    backend = get_backend(backend_name)
    starts, closes = [], []
    for run in range(runs):
        began = time.perf_counter()
        session = backend.start(topology, session_id=f"bench-{run}", deadline_s=120)
        starts.append(time.perf_counter() - began)
        began = time.perf_counter()
        session.close()
        closes.append(time.perf_counter() - began)
    return statistics.median(starts), statistics.median(closes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=["docker", "process"], action="append")
    args = parser.parse_args()
    backends = args.backend or (["docker", "process"] if docker_engine()[0] else ["process"])
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder)
        (source / "app.py").write_text(APP)
        source.chmod(0o755)
        print(f"{'backend':8} {'topology':20} {'start (median)':>15} {'close (median)':>15}"
              f"  runs={args.runs}")
        for backend_name in backends:
            for name, topology in topologies(source).items():
                start, close = measure(backend_name, topology, args.runs)
                print(f"{backend_name:8} {name:20} {start:14.2f}s {close:14.2f}s")


if __name__ == "__main__":
    main()
