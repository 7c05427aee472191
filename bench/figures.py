"""What every benchmark's summary shares: percentiles, the machine, its load, the JSON file.

The machine is shared (other graders, other benchmarks), so each summary records the load
average before and after the run next to its figures: a figure taken at load 6 on 2 cores
is not the figure of a quiet machine.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (/proc/loadavg)."""
    return [round(value, 2) for value in os.getloadavg()]


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p95: fraction 0.95) of `samples`."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def spread(samples: Sequence[float]) -> dict[str, float]:
    """Median, p95, min and max of `samples`, rounded for a summary."""
    return {"median": round(statistics.median(samples), 3),
            "p95": round(percentile(samples, 0.95), 3),
            "min": round(min(samples), 3), "max": round(max(samples), 3), "n": len(samples)}


def machine() -> dict[str, Any]:
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release(), "memory_gb": _memory_gb()}


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(kb / 1024 / 1024, 1)


class Summary:
    """One benchmark's JSON summary: the command, the machine, load before and after."""

    def __init__(self, name: str, command: str, options: dict[str, Any]) -> None:
        self.name = name
        self.data: dict[str, Any] = {
            "benchmark": name, "command": command, "options": options,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(), "load_before": load_average()}

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value

    def write(self, path: Path | None = None) -> Path:
        """Write bench/results/<name>.json (or `path`) with the load after the run."""
        self.data["load_after"] = load_average()
        target = path or RESULTS / f"{self.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.data, indent=2) + "\n")
        print(f"load average before {self.data['load_before']}, after "
              f"{self.data['load_after']}; summary in {target}")
        return target
