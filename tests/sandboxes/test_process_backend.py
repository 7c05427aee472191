"""What the local-process backend enforces with rlimits, its env scrub, its teardown, and its
reaper for sandboxes whose grader died."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import PROBE_APP, get, probe_app, shared_memory_keys

from sandboxes import (
    BackendUnsupported,
    Build,
    FaultUnsupported,
    Limits,
    SandboxError,
    ServiceSpec,
    Topology,
)
from sandboxes.process import reaper
from sandboxes.process.backend import OPT_IN, ProcessBackend
from sandboxes.process.limits import SESSION_UIDS
from tests.support.leftovers import left_after_teardown, process_leftovers

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backend():
    return ProcessBackend()


def wait_for_exit(session, name: str, within: float):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = session.status(name)
        if not status.running:
            return status
        time.sleep(0.1)
    raise AssertionError(f"expected {name} to be stopped within {within}s, it still runs")


def test_memory_beyond_the_limit_is_refused(start):
    session = start(probe_app(limits=Limits(memory_mb=96)))
    assert get(session, "/memory", mb=8) == "allocated"
    assert get(session, "/memory", mb=300) == "failed: MemoryError"


def test_cpu_seconds_are_capped_by_share_times_deadline(start):
    session = start(probe_app(limits=Limits(cpus=0.1)), deadline_s=20)  # 2 CPU seconds
    assert get(session, "/spin") == "spinning"
    # the limit counts CPU time, not wall time: on a busy machine 2 CPU seconds take longer
    status = wait_for_exit(session, "app", within=18)
    assert status.exit_code == 128 + 24, f"expected death by SIGXCPU (152), got {status}"


def test_files_beyond_the_size_limit_cannot_be_written(start):
    session = start(probe_app(limits=Limits(file_size_mb=2)))
    assert get(session, "/write", path="small.bin", mb=1) == "written"
    assert get(session, "/write", path="big.bin", mb=3) == "failed: File too large"


def test_env_holds_only_path_lang_host_port_and_the_spec(start, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "host secret")
    session = start(probe_app(env={"GREETING": "hi"}))
    env = json.loads(get(session, "/env"))
    assert set(env) <= {"PATH", "LANG", "HOME", "HOST", "PORT", "GREETING", "LC_CTYPE"}, \
        sorted(env)
    assert Path(env["HOME"]).expanduser() == Path(env["HOME"]), "HOME must be a real folder"
    assert env["HOST"] == "127.0.0.1", "a process sandbox's app must listen on loopback only"


def uid_of_app(session) -> int:
    line = next(line for line in get(session, "/proc-status").splitlines()
                if line.startswith("Uid:"))
    return int(line.split()[1])


@pytest.mark.skipif(os.geteuid() != 0, reason="demotion happens only as root")
def test_each_session_runs_as_a_uid_of_its_own_when_we_are_root(start):
    first, second = start(probe_app()), start(probe_app())
    uids = {uid_of_app(first), uid_of_app(second)}
    assert len(uids) == 2, f"two sessions at once must not share a uid, both ran as {uids}"
    assert all(uid in SESSION_UIDS for uid in uids), f"expected uids in {SESSION_UIDS}: {uids}"
    workdir = first.services["app"].cwd
    assert workdir.stat().st_uid == uid_of_app(first), "the app must own its own folder"
    home = json.loads(get(first, "/env"))["HOME"]
    assert home == str(workdir), "a uid without a passwd entry needs HOME (httpx reads ~/.netrc)"


@pytest.mark.skipif(os.geteuid() != 0, reason="RLIMIT_NPROC is set only as root")
def test_a_busy_neighbour_does_not_use_up_a_sessions_process_limit(start):
    busy, quiet = start(probe_app(limits=Limits(pids=64))), start(probe_app(limits=Limits(pids=64)))
    with ThreadPoolExecutor(2) as pool:  # the neighbour holds 50 processes meanwhile
        held = pool.submit(get, busy, "/fork", n=50, hold=3)
        time.sleep(1)
        assert get(quiet, "/fork", n=50) == "started 50"
        assert held.result() == "started 50"


@pytest.mark.skipif(os.geteuid() != 0, reason="RLIMIT_NPROC is set only as root")
def test_a_busy_app_does_not_use_up_the_process_limit_of_the_stub_beside_it(start):
    session = start(probe_app(), probe_app(name="stub", kind="process"))

    def get_from(service: str, path: str, **params: object) -> str:
        response = httpx.get(session.url(service) + path, params=params, timeout=10)
        assert response.status_code == 200, f"{service} {path}: {response.status_code}"
        return response.text

    def uid(service: str) -> int:
        status = get_from(service, "/proc-status")
        return int(next(line for line in status.splitlines() if line.startswith("Uid:"))
                   .split()[1])

    assert uid("app") != uid("stub"), "a lab's stub must not share the learner's uid"
    with ThreadPoolExecutor(1) as pool:  # the app holds 50 processes meanwhile
        held = pool.submit(get_from, "app", "/fork", n=50, hold=3)
        time.sleep(1)
        assert get_from("stub", "/fork", n=50) == "started 50"
        assert held.result() == "started 50"


def test_a_command_that_cannot_start_is_a_sandbox_error_naming_it(start):
    with pytest.raises(SandboxError, match="cannot start service 'app' \\(no-such-program"):
        start(probe_app(command=["no-such-program-archlab"]))


def test_teardown_kills_the_apps_children_too(start):
    session = start(probe_app())
    child = int(get(session, "/spawn"))
    assert Path(f"/proc/{child}").exists()
    session.close()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists(), f"child {child} outlived the session"


def test_teardown_leaves_no_shared_memory_of_postgresql_behind(start):
    """PostgreSQL's System V segment is keyed by its data folder's inode and only its own
    exit removes it: SIGKILLed at teardown it stayed (503 such segments after an afternoon of
    verifies, toward the machine's 4096), and a new cluster whose folder got that inode again
    could find it still attached and exit 1 ("pre-existing shared memory block ... is still
    in use")."""
    session = start(ServiceSpec(name="db", kind="postgres"))
    key = f"0x{(session.root / 'db' / 'data').stat().st_ino:08x}"
    assert key in shared_memory_keys(), "the server's segment, keyed as expected"
    began = time.monotonic()
    session.close()
    assert time.monotonic() - began < 3.0
    assert key not in shared_memory_keys()


def test_the_deadline_tears_the_session_down(start):
    session = start(probe_app(), deadline_s=2)
    get(session, "/healthz")
    deadline = time.monotonic() + 2 + 30  # the watchdog's thread runs late on a busy machine
    while not session.closed and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session.expired and session.closed
    with pytest.raises(SandboxError, match="deadline"):
        session.status("app")


def test_a_service_built_from_a_dockerfile_is_refused_as_unsupported(leftovers):
    app = ServiceSpec(name="app", kind="app", source=PROBE_APP, build=Build())
    with pytest.raises(BackendUnsupported, match="the process sandbox cannot build 'app' from "
                                                 "its Dockerfile: this needs the Docker sandbox"):
        ProcessBackend().start(Topology([app]), session_id="built-here")
    assert leftovers("built-here") == []


def test_no_image_means_no_image_user_to_report(start):
    session = start(probe_app())
    with pytest.raises(FaultUnsupported, match="the process sandbox runs no images"):
        session.service_user("app")


def test_untrusted_code_is_refused_without_the_operators_opt_in(monkeypatch):
    monkeypatch.delenv(OPT_IN, raising=False)
    with pytest.raises(SandboxError, match=OPT_IN):
        ProcessBackend(trusted=False).start(Topology([probe_app()]), session_id="untrusted")
    monkeypatch.setenv(OPT_IN, "1")
    with ProcessBackend(trusted=False).start(Topology([probe_app()]),
                                             session_id="untrusted") as session:
        assert get(session, "/healthz") == "ok"


GRADER_THAT_DIES = """
import sys, time
from pathlib import Path
from sandboxes import Readiness, ServiceSpec, Topology
from sandboxes.process.backend import ProcessBackend

app = ServiceSpec(name="app", kind="app", command=["python3", "app.py"], source=Path(sys.argv[1]),
                  ready=Readiness(http="/healthz", timeout=20))
store = ServiceSpec(name="store", kind=sys.argv[3] if len(sys.argv) > 3 else "redis")
ProcessBackend().start(Topology([app, store]),
                       session_id=sys.argv[2], labels={"archlab.lab": "probe"}, deadline_s=600)
print("up", flush=True)
time.sleep(600)
"""


@contextlib.contextmanager
def grader_that_dies(session_id: str, *services: str) -> Iterator[subprocess.Popen[bytes]]:
    """A grader process whose sandbox `session_id` (the probe app and `services`) is up; it
    is killed when the block ends, if the block did not, and waited for, its pipe closed."""
    with subprocess.Popen([sys.executable, "-c", GRADER_THAT_DIES, str(PROBE_APP), session_id,
                           *services], stdout=subprocess.PIPE, cwd=REPO_ROOT) as grader:
        try:
            assert grader.stdout.readline() == b"up\n", "the grader never started its sandbox"
            yield grader
        finally:
            grader.kill()


def test_reap_kills_and_removes_the_sandbox_of_a_grader_killed_with_sigkill(tmp_path):
    session_id = f"dead-grader-{os.getpid()}"
    with grader_that_dies(session_id):
        pass
    time.sleep(0.5)
    assert any(item.startswith("pid") for item in process_leftovers(session_id)), \
        "expected the sandbox's processes to outlive their grader"
    assert reaper.reap(session_id=session_id, labels={"archlab.lab": "other"}) == 0
    assert reaper.reap(session_id=session_id) == 1
    assert left_after_teardown(process_leftovers, session_id) == []


def test_reap_of_a_dead_graders_postgres_leaves_no_shared_memory_behind(tmp_path):
    session_id = f"dead-grader-pg-{os.getpid()}"
    with grader_that_dies(session_id, "postgres"):
        pass
    [root] = [r for r in reaper.scratch_base().glob(reaper.PREFIX + "*")
              if reaper.read_record(r).get("session_id") == session_id]
    key = f"0x{(root / 'store' / 'data').stat().st_ino:08x}"
    assert key in shared_memory_keys(), "the orphaned cluster's segment, keyed as expected"
    assert reaper.reap(session_id=session_id) == 1
    assert key not in shared_memory_keys()
    assert left_after_teardown(process_leftovers, session_id) == []


def test_a_killed_grader_not_reaped_yet_owns_nothing(tmp_path):
    """A grader SIGKILLed with its parent stays a zombie until init reaps it (the embedded
    pool's gunicorn worker does when `archlab serve` is killed): reap takes it for gone."""
    session_id = f"zombie-grader-{os.getpid()}"
    with grader_that_dies(session_id) as grader:
        grader.kill()  # not waited for: a zombie until the block ends
        deadline = time.monotonic() + 10
        while Path(f"/proc/{grader.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the killed grader never became a zombie"
            time.sleep(0.05)
        assert reaper.reap(session_id=session_id) == 1
    assert left_after_teardown(process_leftovers, session_id) == []


def test_reap_leaves_a_live_graders_session_unless_told_to_remove_everything(start):
    start(probe_app(), session_id="live-grader")
    assert reaper.reap(session_id="live-grader") == 0
    assert process_leftovers("live-grader"), "reap removed a session whose grader lives"
    assert reaper.reap(everything=True, session_id="live-grader") == 1
    assert left_after_teardown(process_leftovers, "live-grader") == []
