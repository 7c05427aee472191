"""rlimits for a service process, and the preexec step that applies them.

Memory is RLIMIT_DATA (heap and private mappings, so thread stacks count too), CPU is the
share of the session's wall-clock deadline as CPU seconds, processes are RLIMIT_NPROC - which
counts every process of the uid, so it is only set when the service runs as a dedicated
account (root demotes services to `nobody`), never for a developer's own uid.
"""

from __future__ import annotations

import math
import os
import pwd
import resource
from collections.abc import Callable

from sandboxes.spec import Limits

MB = 1024 * 1024
DEFAULT_CPU_SECONDS = 600


def sandbox_user() -> str | None:
    """The account a learner's process runs as: `nobody` when we are root, else ourselves."""
    return "nobody" if os.geteuid() == 0 else None


def rlimits(limits: Limits, deadline_s: float | None, dedicated_user: bool,
            ) -> dict[int, tuple[int, int]]:
    """RLIMIT_* -> (soft, hard) for a service with these limits. CPU gets one second of
    grace above the soft limit, so the process sees SIGXCPU (not a bare SIGKILL)."""
    cpu_seconds = (max(1, math.ceil(deadline_s * limits.cpus)) if deadline_s
                   else DEFAULT_CPU_SECONDS)
    values = {
        resource.RLIMIT_DATA: int(limits.memory_mb * MB),
        resource.RLIMIT_CPU: cpu_seconds,
        resource.RLIMIT_FSIZE: int(limits.file_size_mb * MB),
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NOFILE: int(limits.nofile),
    }
    if dedicated_user:
        values[resource.RLIMIT_NPROC] = int(limits.pids)
    pairs = {which: (value, value) for which, value in values.items()}
    pairs[resource.RLIMIT_CPU] = (cpu_seconds, cpu_seconds + 1)
    return pairs


def preexec(limits: dict[int, tuple[int, int]], user: str | None) -> Callable[[], None]:
    """Runs in the child before exec: own session (process group), rlimits, drop to `user`."""
    account = pwd.getpwnam(user) if user else None

    def run() -> None:
        os.setsid()
        for which, pair in limits.items():
            resource.setrlimit(which, pair)
        if account is not None:
            os.setgid(account.pw_gid)
            os.setgroups([])
            os.setuid(account.pw_uid)

    return run
