"""A shell inside a service's container (`docker exec` with a tty): the container's user,
working folder, environment, network namespace and limits (an exec runs in the container's
cgroup, so its memory, CPU and process caps hold the shell too)."""

from __future__ import annotations

import contextlib
import select
import socket
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
        if getattr(self, "pid", None) is not None:
            with contextlib.suppress(docker.errors.DockerException):
                self.container.exec_run(["pkill", "-KILL", "-s", str(self.pid)], user=self.user)
        with contextlib.suppress(OSError):
            self.socket.close()
