"""A shell inside a running service, on both backends: it runs as the service runs (folder,
user, environment), answers what is typed, and closing it (or the session) kills the shell
and what it started."""

from __future__ import annotations

import os
import time

import pytest

from sandboxes import Session
from sandboxes.errors import SandboxError
from sandboxes.shell import Shell
from tests.sandboxes.sandbox_helpers import probe_app

# what the shells start, found by command line; on the process backend pgrep sees every process
# of the host, so the names are this pytest process's own (another test run has other ones)
SLEEPER = f"sleep {1_000_000 + os.getpid()}"
FLOOD = f"flood-of-output-{os.getpid()}"


def output_until(shell: Shell, marker: bytes, timeout: float = 15) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"expected {marker!r} within {timeout} s: {seen!r}"
        chunk = shell.read(0.2)
        assert chunk != b"", f"the shell ended before printing {marker!r}: {seen!r}"
        seen += chunk or b""
    return seen


def test_a_shell_runs_where_the_service_runs(start) -> None:
    session: Session = start(probe_app())
    shell = session.open_shell("app")
    shell.resize(40, 120)
    shell.write(b"echo in=$(pwd) cols=$(tput cols 2>/dev/null || stty size) port=$PORT"
                b" uid=$(id -u) marker-$((6*7))\n")
    out = output_until(shell, b"marker-42").decode()
    assert "port=" in out and "uid=0" not in out, out
    assert "120" in out, f"expected the resized terminal's 120 columns: {out}"
    shell.close()
    assert shell.read(0.1) == b""


def test_closing_a_shell_kills_what_it_started(start) -> None:
    session: Session = start(probe_app())
    shell = session.open_shell("app")
    shell.write(f"{SLEEPER} & echo started-$((1+1))\n".encode())
    output_until(shell, b"started-2")
    shell.close()
    checker = session.open_shell("app")
    checker.write(f"echo sleepers=$(pgrep -c -f '{SLEEPER}' || true)-$((3+4))end\n".encode())
    out = output_until(checker, b"-7end").decode()
    assert "sleepers=0-7end" in out, out


def test_closing_a_flooding_shell_nobody_reads_kills_it_promptly(start) -> None:
    """A terminal closed mid-`yes` (its output cap, the browser gone) stops reading first: on
    Docker the engine then held the kill's exec behind the unread stream, for ever."""
    session: Session = start(probe_app())
    shell = session.open_shell("app")
    shell.write(f"yes {FLOOD}\n".encode())
    output_until(shell, f"{FLOOD}\r\n{FLOOD}".encode())
    time.sleep(1)  # nobody reads: every buffer between `yes` and us fills up
    started = time.monotonic()
    shell.close()
    assert time.monotonic() - started < 8, "expected close() to return within seconds"
    checker = session.open_shell("app")
    checker.write(f"echo floods=$(pgrep -c -f 'yes {FLOOD}' || true)-$((3+4))end\n".encode())
    out = output_until(checker, b"-7end").decode()
    assert "floods=0-7end" in out, out


def test_closing_the_session_ends_its_shells(start) -> None:
    session: Session = start(probe_app())
    shell = session.open_shell("app")
    shell.write(b"echo up-$((2+2))\n")
    output_until(shell, b"up-4")
    session.close()
    assert shell.closed and shell.read(0.5) == b""
    with pytest.raises(SandboxError):
        session.open_shell("app")


@pytest.mark.parametrize("backend", ["docker"], indirect=True)
def test_a_docker_shell_reaches_its_app_and_nothing_outside(start) -> None:
    session: Session = start(probe_app())
    shell = session.open_shell("app")
    probe = "(timeout 3 bash -c '</dev/tcp/{}/{}' 2>/dev/null && echo {}=open || echo {}=shut)"
    shell.write((probe.format("127.0.0.1", "$PORT", "app", "app") + "; "
                 + probe.format("1.1.1.1", "80", "internet", "internet") + "; "
                 + probe.format("172.17.0.1", "22", "host", "host")
                 + "; echo done-$((2*3))\n").encode())
    out = output_until(shell, b"done-6").decode()
    assert "app=open" in out and "internet=shut" in out and "host=shut" in out, out
