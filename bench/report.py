"""The figures table of docs/performance.md, from the JSON summaries in bench/results/.

    .venv/bin/python -m bench.report [RESULTS_DIR]

Prints Markdown: one row per figure with its value, the load average the run saw (1-minute,
before and after; a grade-latency row's own lab's, where the summary has it) and the command
that measured it. Summaries that are missing are skipped.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.figures import RESULTS

Row = tuple[str, str, str, str]  # figure, value, load, command


def _load(measured: dict[str, Any]) -> str:
    """The 1-minute load before → after of a summary, or of one of its rows that has its own."""
    return f"{measured['load_before'][0]:g} → {measured['load_after'][0]:g}"


def grade_latency(summary: dict[str, Any]) -> Iterator[Row]:
    runs = summary["options"]["runs"]
    for row in summary["results"]:
        total, spans = row["total_s"], row["spans_median_s"]
        parts = " / ".join(f"{value:.2f}" for value in spans.values())
        flaw = f"; not full marks: {len(row['not_full_marks'])}" if row["not_full_marks"] else ""
        slowest = ", ".join(f"{check} {seconds:.1f} s"
                            for check, seconds in row.get("slowest_checks_median_s", {}).items())
        slowest = f"; slowest checks: {slowest}" if slowest else ""
        yield (f"grade {row['lab']}, {row['backend']} (queue / start / ready / checks / "
               f"teardown / other)", f"median {total['median']:.2f} s, p95 {total['p95']:.2f} s, "
               f"slowest {total['max']:.2f} s of {total['n']} ({parts}){flaw}{slowest}",
               _load(row if "load_before" in row else summary),
               f"`python -m bench.grade_latency --lab {row['lab']} --backend {row['backend']} "
               f"--runs {runs}`")


def sandbox_start(summary: dict[str, Any]) -> Iterator[Row]:
    for row in summary["results"]:
        close = f" + close {row['close_s']['median']:.2f} s" if row["close_s"] else ""
        yield (f"sandbox {row['backend']} {row['topology']}",
               f"start {row['start_s']['median']:.2f} s{close} = {row['ratio']:.2f}x floor",
               _load(summary), f"`python -m bench.sandbox_start --backend {row['backend']} "
               f"--runs {summary['options']['runs']}`")


def class_burst(summary: dict[str, Any]) -> Iterator[Row]:
    options = summary["options"]
    for burst in summary["bursts"]:
        flaw = len(burst["not_full_marks"])
        yield (f"class burst {burst['submissions']} x {'+'.join(burst['labs'])}, "
               f"{options['backend']}, {burst['workers']} worker(s)",
               f"all graded in {burst['all_graded_s']:.0f} s, {burst['grades_per_min']} grades/min,"
               f" wait p95 {burst['queue_wait_s']['p95']:.0f} s, not full marks: {flaw}",
               _load(summary), f"`python -m bench.class_burst --backend {options['backend']} "
               f"--workers {burst['workers']} --submissions {burst['submissions']}`")


def server_shape(server: dict[str, Any]) -> str:
    """How a site_load summary's gunicorn ran: the deployed shape (one gthread process) or
    sync worker processes (summaries from before the shape was recorded: sync)."""
    if server.get("shape") == "deployed":
        return f"gunicorn 1 process x {server['threads']} threads"
    return f"gunicorn {server['workers']} sync workers"


def site_load(summary: dict[str, Any]) -> Iterator[Row]:
    options = summary["options"]
    shape = options.get("shape", "sync")
    command = (f"`python -m bench.site_load --shape {shape} --clients {options['clients']} "
               f"--watchers {options['watchers']}`")
    for page, figures in summary["pages"].items():
        yield (f"{page} page, {options['clients']} clients, {server_shape(summary['server'])}",
               f"{figures['requests_per_s']:.0f} req/s, p95 {figures['p95_ms']:.0f} ms, "
               f"non-2xx {figures['non_2xx']:g}", _load(summary), command)
    for row in summary["live"]:
        polls = (f", poll p95 {row['poll_s']['p95'] * 1000:.0f} ms, failed "
                 f"{row['failed_polls']}" if "poll_s" in row else "")
        yield (f"live result, {row['watchers']} watchers", f"grade {row['grade_s']:.1f} s"
               f"{polls}", _load(summary), command)


RENDERERS = {"grade_latency": grade_latency, "sandbox_start": sandbox_start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, default=RESULTS)
    args = parser.parse_args()
    print("| figure | value | load (1 min, before → after) | command |")
    print("|---|---|---|---|")
    for path in sorted(args.results.glob("*.json")):
        summary = json.loads(path.read_text())
        name = summary["benchmark"]
        render = (class_burst if name.startswith("class_burst") else
                  site_load if name.startswith("site_load") else RENDERERS.get(name))
        if render is None:
            continue
        for figure, value, load, command in render(summary):
            print(f"| {figure} | {value} | {load} | {command} |")


if __name__ == "__main__":
    main()
