"""The grade-latency benchmark's summary, as docs/performance.md's per-lab table reads it: a
real grade through the site's queue on the process backend, its row with its own load, and
the report giving each row that load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report
from labs.catalog import get_lab, load_checks

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_each_lab_row_carries_its_own_load_and_is_written_to_out(tmp_path: Path) -> None:
    out = tmp_path / "rest-api-process.json"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.grade_latency", "--lab", "rest-api", "--backend", "process",
         "--runs", "1", "--out", str(out)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    summary = json.loads(out.read_text())
    [row] = summary["results"]
    assert (row["lab"], row["backend"], row["not_full_marks"]) == ("rest-api", "process", [])
    assert row["total_s"]["n"] == 1 and row["total_s"]["max"] == row["total_s"]["median"] > 0
    assert len(row["load_before"]) == len(row["load_after"]) == 3
    assert row["spans_median_s"]["checks_s"] > 0
    slowest = row["slowest_checks_median_s"]
    assert len(slowest) == 3 and list(slowest.values()) == sorted(slowest.values(), reverse=True)
    assert set(slowest) <= {check.id for check in load_checks(get_lab("rest-api"))}


def summary_of(rows: list[dict], load: tuple[float, float]) -> dict:
    return {"benchmark": "grade_latency", "options": {"runs": 3}, "results": rows,
            "load_before": [load[0], 0, 0], "load_after": [load[1], 0, 0]}


def row_of(lab: str, load: tuple[float, float] | None) -> dict:
    row = {"lab": lab, "backend": "docker", "not_full_marks": [],
           "total_s": {"median": 5.0, "p95": 7.0, "min": 4.0, "max": 7.0, "n": 3},
           "slowest_checks_median_s": {"kill_and_restart": 2.5, "burst": 0.75},
           "spans_median_s": {"queue_wait_s": 0.01, "sandbox_start_s": 1.0,
                              "service_ready_s": 0.5, "checks_s": 2.0, "teardown_s": 1.0,
                              "other_s": 0.1}}
    if load is not None:
        row |= {"load_before": [load[0], 0, 0], "load_after": [load[1], 0, 0]}
    return row


def test_report_gives_each_lab_its_own_load_and_the_slowest_grade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "a.json").write_text(json.dumps(summary_of(
        [row_of("saga", (3.5, 4.25)), row_of("sharding", (6.0, 7.5))], (1.0, 9.0))))
    (tmp_path / "b.json").write_text(json.dumps(summary_of([row_of("rest-api", None)],
                                                           (2.0, 2.5))))
    monkeypatch.setattr(sys, "argv", ["report", str(tmp_path)])
    report.main()
    lines = {line.split(" | ")[0]: line for line in capsys.readouterr().out.splitlines()}
    saga, sharding, rest = (lines[f"| grade {lab}, docker (queue / start / ready / checks / "
                                  f"teardown / other)"] for lab in ("saga", "sharding", "rest-api"))
    assert "| 3.5 → 4.25 |" in saga and "| 6 → 7.5 |" in sharding and "| 2 → 2.5 |" in rest
    assert ("median 5.00 s, p95 7.00 s, slowest 7.00 s of 3 (0.01 / 1.00 / 0.50 / 2.00 / 1.00 / "
            "0.10)") in saga
    assert "; slowest checks: kill_and_restart 2.5 s, burst 0.8 s |" in saga
    assert "`python -m bench.grade_latency --lab saga --backend docker --runs 3`" in saga
