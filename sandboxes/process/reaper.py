"""Leftovers of process sandboxes: a grader killed with SIGKILL cannot tear down, and its
sandbox's processes (their own sessions, so its death does not reach them) keep running.

Each session keeps a record in its scratch folder: its id and labels, its owner (the grader's
pid and that process's start time, so a reused pid is not taken for the owner), its deadline
and the process groups it started. `reap` kills and removes the sandboxes whose owner is gone
or whose deadline passed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from sandboxes.local_servers import scratch_base

RECORD = "session.json"
PREFIX = "sbx-"


def _stat(pid: int | str) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (field 3 onwards); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def started_at(pid: int) -> int | None:
    """When the process started, in clock ticks since boot (field 22); None if it is gone,
    or a zombie (it has exited; only its status waits to be read: a SIGKILLed grader whose
    parent died with it waits so until init reaps it, which some inits do late)."""
    fields = _stat(pid)
    return None if fields is None or fields[0] == "Z" else int(fields[19])


def ticks_now() -> int:
    """Clock ticks since boot, the unit of started_at()."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def write_record(root: Path, session_id: str, labels: dict[str, str],
                 deadline_s: float | None, pgids: set[int]) -> None:
    """(Re)write the session's record; atomic, so a reaper never reads half of it."""
    me = os.getpid()
    record = {"session_id": session_id, "labels": labels, "owner": me,
              "owner_started": started_at(me), "started": ticks_now(),
              "deadline": None if deadline_s is None else time.time() + deadline_s,
              "pgids": sorted(pgids)}
    earlier = read_record(root)
    for kept in ("started", "deadline"):  # both count from the session's start
        record[kept] = earlier.get(kept, record[kept])
    partial = root / f".{RECORD}.tmp"
    partial.write_text(json.dumps(record))
    partial.replace(root / RECORD)


def read_record(root: Path) -> dict[str, Any]:
    try:
        return json.loads((root / RECORD).read_text())
    except (OSError, ValueError):
        return {}


def abandoned(record: dict[str, Any], now: float) -> bool:
    """Its owner died (or the pid now belongs to another process), or its deadline passed."""
    owner = record.get("owner")
    if not isinstance(owner, int) or started_at(owner) != record.get("owner_started"):
        return True
    deadline = record.get("deadline")
    return isinstance(deadline, (int, float)) and deadline < now


def reap(*, everything: bool = False, session_id: str | None = None,
         labels: dict[str, str] | None = None) -> int:
    """Kill and remove abandoned process sandboxes (all of them with `everything`; only the
    session `session_id` whose labels include `labels`, if given); how many went.

    Folders without a record are not ours to judge and stay.
    """
    removed = 0
    now = time.time()
    for root in sorted(scratch_base().glob(PREFIX + "*")):
        record = read_record(root)
        if not record:
            continue
        if session_id is not None and record.get("session_id") != session_id:
            continue
        if labels and any(record.get("labels", {}).get(k) != v for k, v in labels.items()):
            continue
        if everything or abandoned(record, now):
            kill_sandbox(root, set(record.get("pgids", [])), int(record.get("started", 0)))
            removed += 1
    return removed


def kill_sandbox(root: Path, pgids: set[int], started: int) -> None:
    """Kill every process of the session, then remove its folder. A process is the
    session's when it works inside the folder, or is in one of its process groups and
    started after the session did (pids are reused: pid_max is often 32768).

    PostgreSQL gets SIGQUIT first (immediate shutdown, milliseconds): its System V segment,
    keyed by its data folder's inode, outlives a SIGKILL, and enough of them stop any new
    cluster from starting (kernel.shmmni)."""
    pids = _session_pids(root, pgids, started)
    databases = [pid for pid in pids if _command_name(pid) == "postgres"]
    _signal(databases, signal.SIGQUIT)
    deadline = time.monotonic() + POSTGRES_QUIT_S
    while any(_stat(pid) for pid in databases) and time.monotonic() < deadline:
        time.sleep(0.02)
    _signal(pids, signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)


POSTGRES_QUIT_S = 2.0


def _session_pids(root: Path, pgids: set[int], started: int) -> list[int]:
    inside = str(root) + os.sep
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        fields = _stat(proc.name)
        if fields is None or int(proc.name) == os.getpid():
            continue
        ours = int(fields[2]) in pgids and int(fields[19]) >= started
        with contextlib.suppress(OSError):
            ours = ours or (os.readlink(proc / "cwd") + os.sep).startswith(inside)
        if ours:
            pids.append(int(proc.name))
    return pids


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _signal(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)
