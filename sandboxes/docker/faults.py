"""Network faults on a container: latency with tc netem inside its network namespace (from
the host, as root), and cutting it off its session network."""

from __future__ import annotations

import os
import shutil
import subprocess

from docker.models.containers import Container

from sandboxes.errors import FaultUnsupported, SandboxError


def _tc(container: Container, *args: str) -> subprocess.CompletedProcess:
    tc, nsenter = shutil.which("tc"), shutil.which("nsenter")
    if os.geteuid() != 0 or not tc or not nsenter:
        raise FaultUnsupported("adding latency needs root with tc and nsenter on the host")
    container.reload()
    pid = container.attrs["State"]["Pid"]
    if not pid:
        raise SandboxError(f"container {container.name} is not running")
    return subprocess.run([nsenter, "-t", str(pid), "-n", tc, "qdisc", *args],
                          capture_output=True, text=True, check=False)


def add_latency(container: Container, ms: float) -> None:
    """Delay every packet the container sends by `ms` milliseconds (0 removes the delay)."""
    if ms <= 0:
        clear_latency(container)
        return
    done = _tc(container, "replace", "dev", "eth0", "root", "netem", "delay", f"{ms:g}ms")
    if "qdisc kind is unknown" in done.stderr:
        raise FaultUnsupported("adding latency needs the kernel's netem scheduler (sch_netem), "
                               "which this kernel lacks")
    if done.returncode != 0:
        raise SandboxError(f"tc netem failed: {done.stderr.strip()}")


def clear_latency(container: Container) -> None:
    _tc(container, "del", "dev", "eth0", "root")  # fails harmlessly when there is none
