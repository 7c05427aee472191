"""What the local-process backend enforces with rlimits, its env scrub, and its teardown."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from sandbox_helpers import get, probe_app

from sandboxes import Limits, SandboxError, Topology
from sandboxes.process.backend import OPT_IN, ProcessBackend


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
    assert set(env) <= {"PATH", "LANG", "HOST", "PORT", "GREETING", "LC_CTYPE"}, sorted(env)
    assert env["HOST"] == "127.0.0.1", "a process sandbox's app must listen on loopback only"


@pytest.mark.skipif(os.geteuid() != 0, reason="demotion to nobody happens only as root")
def test_the_app_runs_as_nobody_when_we_are_root(start):
    session = start(probe_app())
    uid_line = next(line for line in get(session, "/proc-status").splitlines()
                    if line.startswith("Uid:"))
    assert uid_line.split()[1] == "65534", f"expected uid 65534 (nobody), got {uid_line}"


def test_teardown_kills_the_apps_children_too(start):
    session = start(probe_app())
    child = int(get(session, "/spawn"))
    assert Path(f"/proc/{child}").exists()
    session.close()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists(), f"child {child} outlived the session"


def test_the_deadline_tears_the_session_down(start):
    session = start(probe_app(), deadline_s=2)
    get(session, "/healthz")
    time.sleep(3)
    assert session.expired and session.closed
    with pytest.raises(SandboxError, match="deadline"):
        session.status("app")


def test_untrusted_code_is_refused_without_the_operators_opt_in(monkeypatch):
    monkeypatch.delenv(OPT_IN, raising=False)
    with pytest.raises(SandboxError, match=OPT_IN):
        ProcessBackend(trusted=False).start(Topology([probe_app()]), session_id="untrusted")
    monkeypatch.setenv(OPT_IN, "1")
    with ProcessBackend(trusted=False).start(Topology([probe_app()]),
                                             session_id="untrusted") as session:
        assert get(session, "/healthz") == "ok"
