"""A shell inside a service's container (`docker exec` with a tty): the container's user,
working folder, environment, network namespace and limits (an exec runs in the container's
cgroup, so its memory, CPU and process caps hold the shell too).

Closing it must keep reading the shell's output until the shell is dead. The engine copies
an exec's output to its client and, while that copy is blocked on a client that stopped
reading (a terminal closed mid-`yes`), it finishes no other exec of the container: the
`pkill` that would end the flood then never returns, nor does the session's teardown
(moby/moby#41827). So `close` drains the stream while the `pkill` runs, and waits for
neither longer than KILL_WAIT_S.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

import docker
import docker.errors
from docker.models.containers import Container

from sandboxes.errors import SandboxError
from sandboxes.shell import READ_CHUNK, SHELL_ENV, Shell

# The first line the terminal shows is the shell's pid inside the container (read and kept
# back here), so close() can kill its whole session from inside with the container's user.
SHELL = ["/bin/sh", "-c", "echo $$; exec /bin/bash --noprofile --norc -i"]
PID_WAIT_S = 10.0
KILL_WAIT_S = 10.0


class DockerShell(Shell):
    def __init__(self, client: docker.DockerClient, container: Container) -> None:
        super().__init__()
        self.client, self.container = client, container
        config = container.attrs["Config"]
        self.user = config.get("User") or ""
        try:
            self.exec_id = client.api.exec_create(
                container.id, SHELL, stdin=True, tty=True, user=self.user,
                workdir=config.get("WorkingDir") or None, environment=SHELL_ENV)["Id"]
            self.socket: socket.socket = client.api.exec_start(
                self.exec_id, tty=True, socket=True)._sock
        except docker.errors.DockerException as exc:
            raise SandboxError(f"cannot open a shell in {container.name}: {exc}") from exc
        self.pending, self.pid = self._read_pid()

    def _read_pid(self) -> tuple[bytes, int | None]:
        """The shell's pid line, and whatever came after it (kept for the first read)."""
        seen, deadline = b"", time.monotonic() + PID_WAIT_S
        while b"\n" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.socket], [], [], 0.2)
            chunk = self.socket.recv(READ_CHUNK) if ready else None
            if chunk == b"":
                break
            seen += chunk or b""
        line, _, rest = seen.partition(b"\n")
        pid = line.strip()
        if not pid.isdigit():
            self.close()
            raise SandboxError(f"the shell in {self.container.name} did not start: "
                               f"{seen.decode(errors='replace').strip()!r}")
        return rest, int(pid)

    def fileno(self) -> int:
        return self.socket.fileno()

    def read(self, timeout: float) -> bytes | None:
        if self.pending and not self.closed:
            pending, self.pending = self.pending, b""
            return pending
        return super().read(timeout)

    def _read(self) -> bytes:
        try:
            return self.socket.recv(READ_CHUNK)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            self.socket.sendall(data)

    def resize(self, rows: int, cols: int) -> None:
        with contextlib.suppress(docker.errors.DockerException):
            self.client.api.exec_resize(self.exec_id, height=rows, width=cols)

    def _kill(self) -> None:
        deadline = time.monotonic() + KILL_WAIT_S
        drain = threading.Thread(target=self._drain, args=(deadline,), daemon=True,
                                 name="shell-drain")
        drain.start()
        if getattr(self, "pid", None) is not None:
            self._kill_session(deadline)
        drain.join(max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(OSError):
            self.socket.close()

    def _drain(self, deadline: float) -> None:
        """Read and drop the shell's output until it ends (the shell died) or `deadline`."""
        while time.monotonic() < deadline:
            try:
                ready, _, _ = select.select([self.socket], [], [], 0.2)
                if ready and not self.socket.recv(READ_CHUNK):
                    return
            except (OSError, ValueError):
                return

    def _kill_session(self, deadline: float) -> None:
        """`pkill -s` the shell's session inside the container, waiting until `deadline` at
        most (a detached exec, polled: exec_run's read of the output has no timeout)."""
        try:
            exec_id = self.client.api.exec_create(
                self.container.id, ["pkill", "-KILL", "-s", str(self.pid)], user=self.user)["Id"]
            self.client.api.exec_start(exec_id, detach=True)
            while time.monotonic() < deadline:
                state = self.client.api.exec_inspect(exec_id)
                if not state["Running"] and state["ExitCode"] is not None:
                    return
                time.sleep(0.05)
        except docker.errors.DockerException:
            return  # the container is gone or going: its teardown ends the shell anyway
