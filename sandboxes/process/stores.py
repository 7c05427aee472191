"""Redis and PostgreSQL as local processes, with the `lab` role and database the URL names."""

from __future__ import annotations

import contextlib
import pwd
import signal
import time
from collections.abc import Callable
from pathlib import Path

from sandboxes.local_servers import (
    ServerDidNotStart,
    chown_tree,
    postgres_argv,
    prepare_postgres_data,
    redis_argv,
)
from sandboxes.process.capped_log import CappedLog
from sandboxes.process.limits import preexec, rlimits
from sandboxes.process.service import ProcessService
from sandboxes.spec import ServiceSpec

ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
LAB_DATABASE_SQL = ("CREATE ROLE lab LOGIN PASSWORD 'lab'", "CREATE DATABASE lab OWNER lab")


def store_user(kind: str, as_root: bool) -> str | None:
    """The Debian account the server runs as when we are root (postgres refuses root)."""
    if not as_root:
        return None
    wanted = "postgres" if kind == "postgres" else "redis"
    try:
        pwd.getpwnam(wanted)
    except KeyError:
        return "nobody"
    return wanted


def store_service(spec: ServiceSpec, workdir: Path, port: int, user: str | None,
                  deadline_s: float | None) -> ProcessService:
    """A not-yet-started ProcessService running the store of kind `spec.kind`."""
    quit_signal = None
    if spec.kind == "postgres":
        prepare_postgres_data(workdir, user)
        argv, stop_signal = postgres_argv(workdir, port), signal.SIGINT  # fast shutdown
        quit_signal = signal.SIGQUIT  # immediate shutdown, which removes its shared memory
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        chown_tree(workdir, user)
        argv, stop_signal = redis_argv(workdir, port, int(spec.limits.memory_mb)), signal.SIGTERM
    limits = rlimits(spec.limits, deadline_s, dedicated_user=False)
    return ProcessService(spec, argv, workdir, dict(ENV), port, preexec(limits, user),
                          CappedLog(int(spec.limits.log_kb * 1024)), stop_signal=stop_signal,
                          quit_signal=quit_signal)


def create_lab_database(port: int, timeout: float, alive: Callable[[], bool]) -> None:
    """Create role `lab` (password `lab`) owning database `lab`, once the server accepts;
    gives up at the timeout or as soon as the server is no longer `alive`."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres",
                                   autocommit=True, connect_timeout=2)
            break
        except psycopg.OperationalError as exc:
            if not alive():
                raise ServerDidNotStart(f"postgres on port {port} exited") from exc
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"postgres on port {port}: {exc}") from exc
            time.sleep(0.05)
    try:
        with conn:
            for statement in LAB_DATABASE_SQL:
                with contextlib.suppress(psycopg.errors.DuplicateObject,
                                         psycopg.errors.DuplicateDatabase):
                    conn.execute(statement)
    except psycopg.Error as exc:  # e.g. a watchdog tore the server down mid-way
        raise ServerDidNotStart(f"postgres on port {port}: {exc}") from exc
