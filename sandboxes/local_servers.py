"""Real Redis and PostgreSQL servers run as local processes on loopback.

The process sandbox backend starts a lab's backing services with these, and the test suite
starts its own Redis and PostgreSQL the same way: one piece of code that knows how to bring
up Debian's server binaries in a scratch directory, on a free port, as a non-root user.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sandboxes.accounts import Account, account_of
from sandboxes.process.limits import preexec


class MissingServerBinary(RuntimeError):
    """A server binary is not installed; the message names the Debian package to install."""


class ServerDidNotStart(RuntimeError):
    """A server process exited or did not accept connections before its deadline."""


PORT_FLOOR = 10_000  # below: well-known and registered services' habits
_recent_ports: collections.deque[int] = collections.deque(maxlen=1024)
_ports_lock = threading.Lock()


def ephemeral_port_floor() -> int:
    """The lowest source port the kernel gives outgoing connections (32768 by default)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now, for a server to bind a moment later.

    Drawn below the kernel's ephemeral range: between this check and the server's bind, a
    port of that range can become the source port of any outgoing connection (a grader's
    load test opens thousands), and the server then fails to start. Ports handed out
    recently by this process are not given again, so one session's services never share."""
    floor = ephemeral_port_floor()
    for _ in range(200):
        port = random.randrange(PORT_FLOOR, floor) if floor > PORT_FLOOR + 1000 else 0
        with _ports_lock, socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if port in _recent_ports:
                continue
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
            _recent_ports.append(port)
            return port
    raise OSError("found no free TCP port on 127.0.0.1 in 200 tries")


def wait_for_port(host: str, port: int, timeout: float, process: subprocess.Popen | None = None,
                  ) -> None:
    """Block until host:port accepts a TCP connection, the process dies, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerDidNotStart(f"process exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServerDidNotStart(f"{host}:{port} did not accept connections within {timeout:.0f}s")


@dataclass
class LocalServer:
    """A server process on 127.0.0.1; `url` is what clients connect to."""

    name: str
    process: subprocess.Popen
    port: int
    url: str
    workdir: Path
    log_path: Path
    host: str = "127.0.0.1"
    extra: dict[str, str] = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server and everything in its process group; safe to call twice."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


SCRATCH_ENV = "ARCHLAB_SCRATCH"


def scratch_base() -> Path:
    """Where every scratch directory of this machine's sandboxes and servers lives:
    <tmp>/archlab, or <$ARCHLAB_SCRATCH>/archlab. A grading host whose disk is busy can point
    it at a RAM file system (/dev/shm): each process-sandbox PostgreSQL starts from a 35 MB
    copy, which waits seconds for writeback on a disk other jobs are writing to. Off by
    default: learner code writes there too, and RAM is smaller than a disk. Set it alike for
    every archlab process of the machine, or `sandbox reap` looks in the wrong place."""
    return Path(os.environ.get(SCRATCH_ENV) or tempfile.gettempdir()) / "archlab"


def scratch_dir(prefix: str) -> Path:
    """A new directory under <tmp>/archlab that an unprivileged server user can traverse.

    Servers demoted from root cannot enter root's 0700 home or pytest's 0700 temp folders,
    so everything they touch lives below this 0711 base.
    """
    base = scratch_base()
    base.mkdir(mode=0o711, exist_ok=True)
    base.chmod(0o711)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    path.chmod(0o711)
    return path


def _demote(user: str | None) -> Callable[[], None]:
    """preexec_fn: new session (own process group), then drop to `user` when root."""
    return preexec({}, user if os.geteuid() == 0 else None)


def chown_tree(path: Path, user: str | Account | None) -> None:
    """Give `path` and everything below it to `user` (only when running as root)."""
    account = account_of(user) if os.geteuid() == 0 else None
    if account is not None:
        for root, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), account.uid, account.gid)
        os.chown(path, account.uid, account.gid)


def _spawn(name: str, argv: list[str], workdir: Path, user: str | None,
           env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
    log_path = workdir / f"{name}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env or {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
            preexec_fn=_demote(user),
        )
    return process, log_path


def redis_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
    if not found:
        raise MissingServerBinary(
            "redis-server is not installed: install the Debian package 'redis-server'")
    return found


def redis_argv(workdir: Path, port: int, maxmemory_mb: int = 64) -> list[str]:
    """redis-server on 127.0.0.1:`port`, no persistence, working in `workdir`."""
    return [redis_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
            "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no",
            "--maxmemory", f"{maxmemory_mb}mb", "--protected-mode", "yes"]


def start_redis(workdir: Path, *, port: int | None = None, user: str | None = None,
                maxmemory_mb: int = 64, timeout: float = 10.0) -> LocalServer:
    """Start redis-server on 127.0.0.1 with no persistence, in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    chown_tree(workdir, user)
    port = port or free_port()
    process, log_path = _spawn("redis", redis_argv(workdir, port, maxmemory_mb), workdir, user)
    server = LocalServer("redis", process, port, f"redis://127.0.0.1:{port}/0", workdir,
                         log_path)
    _await(server, timeout)
    return server


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL server's bin directory."""
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if not roots:
        raise MissingServerBinary(
            "PostgreSQL server binaries are not installed: install the Debian package "
            "'postgresql'")
    return roots[-1].parent


# Made in the template, so no start pays for them: CREATE DATABASE copies and WAL-logs a
# whole database (~0.4 s per start on a loaded machine). The process sandbox's URL names them.
TEMPLATE_SQL = "CREATE ROLE lab LOGIN PASSWORD 'lab';\nCREATE DATABASE lab OWNER lab;\n"
TEMPLATE_VERSION = 2  # bump when what initdb or TEMPLATE_SQL make changes
# One thread of this process makes the template at a time: a grade starts its PostgreSQL
# servers side by side (and verify --jobs grades side by side), and the staging folder is
# named by the process, so two threads would run initdb into the same folder.
_template_lock = threading.Lock()


def _template_cluster(user: str | None) -> Path:
    """An initdb'd data directory with role and database `lab`, made once per machine and
    copied for each server (~10x faster than running initdb every time). WAL segments are
    1 MB instead of 16 (a throwaway server writes little), which halves what each copy
    writes."""
    bindir = postgres_bindir()
    cache = scratch_base()
    cache.mkdir(mode=0o711, exist_ok=True)
    template = cache / (f"pg-template-v{TEMPLATE_VERSION}-{bindir.parent.name}-"
                        f"{user or os.getuid()}")
    if (template / "data" / "PG_VERSION").exists():  # initdb made template/data
        return template
    with _template_lock:
        if (template / "data" / "PG_VERSION").exists():  # another thread made it meanwhile
            return template
        return _make_template(template, bindir, user)


def _make_template(template: Path, bindir: Path, user: str | None) -> Path:
    """initdb into a staging folder of this process, then rename it to `template` (another
    process may have got there first: its template is as good)."""
    staging = template.with_name(template.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    chown_tree(staging, user)
    process, log_path = _spawn(
        "initdb", [str(bindir / "initdb"), "-D", str(staging / "data"), "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                   "--wal-segsize=1"], staging, user)
    if process.wait(120) != 0:
        raise ServerDidNotStart("initdb failed: " + log_path.read_text(errors="replace")[-800:])
    single = subprocess.run(  # single-user mode: no port, no socket, one statement a line
        [str(bindir / "postgres"), "--single", "-D", str(staging / "data"), "postgres"],
        input=TEMPLATE_SQL, capture_output=True, text=True, timeout=120, check=False,
        cwd=staging, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
        preexec_fn=_demote(user))
    if single.returncode != 0 or "ERROR" in single.stderr:
        raise ServerDidNotStart(f"preparing the template cluster failed: "
                                f"{(single.stderr or single.stdout)[-800:]}")
    with contextlib.suppress(OSError):
        staging.rename(template)
    shutil.rmtree(staging, ignore_errors=True)
    return template


def prepare_postgres_data(workdir: Path, user: str | None) -> None:
    """A fresh cluster in workdir/data (copied from the machine's template), owned by `user`.

    `cp -a` keeps the template's owner, which is `user` already, and copies in a third of
    the time shutil.copytree and a chown of every file take."""
    workdir.mkdir(parents=True, exist_ok=True)
    chown_tree(workdir, user)  # workdir itself; the copy below keeps its files' owner
    copy = subprocess.run(["cp", "-a", "--", str(_template_cluster(user) / "data"),
                           str(workdir / "data")], capture_output=True, text=True, check=False)
    if copy.returncode != 0:
        raise OSError(f"copying the template cluster failed: {copy.stderr.strip()[-400:]}")
    (workdir / "data").chmod(0o700)


def postgres_argv(workdir: Path, port: int) -> list[str]:
    """postgres on 127.0.0.1:`port` serving workdir/data, tuned for throwaway speed."""
    return [str(postgres_bindir() / "postgres"), "-D", str(workdir / "data"), "-p", str(port),
            "-h", "127.0.0.1", "-k", str(workdir), "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=100", "-c", "shared_buffers=16MB"]


def start_postgres(workdir: Path, *, port: int | None = None, user: str | None = None,
                   database: str = "lab", timeout: float = 30.0) -> LocalServer:
    """Start a throwaway PostgreSQL cluster (no fsync) on 127.0.0.1 with database `database`.

    `workdir` must be traversable by `user` (make it with `scratch_dir`).
    When run as root the server runs as `user` (default: the Debian 'postgres' account),
    because PostgreSQL refuses to run as root.
    """
    if os.geteuid() == 0 and user is None:
        user = "postgres"
    bindir = postgres_bindir()
    prepare_postgres_data(workdir, user)
    port = port or free_port()
    process, log_path = _spawn("postgres", postgres_argv(workdir, port), workdir, user)
    # SIGINT is PostgreSQL's fast shutdown: it ends open sessions and removes the cluster's
    # System V segment; SIGTERM waits for every client to leave, and the SIGKILL that
    # follows a timeout leaks the segment (kernel.shmmni allows 4096)
    server = LocalServer("postgres", process, port,
                         f"postgresql://postgres@127.0.0.1:{port}/{database}", workdir, log_path,
                         stop_signal=signal.SIGINT)
    _await(server, timeout)
    deadline = time.monotonic() + timeout
    while True:  # the port opens a moment before the server accepts sessions
        create = subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             database], capture_output=True, text=True, timeout=timeout, check=False)
        if create.returncode == 0 or "already exists" in create.stderr:
            return server
        if "starting up" not in create.stderr or time.monotonic() > deadline:
            server.stop()
            raise ServerDidNotStart(f"createdb {database} failed: {create.stderr.strip()}")
        time.sleep(0.1)


def _await(server: LocalServer, timeout: float) -> None:
    try:
        wait_for_port(server.host, server.port, timeout, server.process)
    except ServerDidNotStart as exc:
        server.stop()
        raise ServerDidNotStart(f"{server.name}: {exc}\n{server.log_tail()}") from exc
