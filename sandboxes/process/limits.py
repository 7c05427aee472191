"""rlimits for a service process, and the preexec step that applies them.

Memory is RLIMIT_DATA (heap and private mappings, so thread stacks count too), CPU is the
share of the session's wall-clock deadline as CPU seconds, processes are RLIMIT_NPROC - which
counts every process of the uid, so it is only set when the service runs as a dedicated
account, never for a developer's own uid. As root, each service of each session runs as a
uid of its own (SESSION_UIDS, no /etc/passwd entry needed): with one shared account, two
sandboxes at once counted each other's threads and a busy neighbour made a correct app's fork
fail (EAGAIN), and one session's code could signal another's; with one account per session,
a learner's app busy with 200 threads used up the process limit of the lab's own stub next to
it, and the learner's code could signal the stub.
"""

from __future__ import annotations

import math
import os
import resource
import zlib
from collections.abc import Callable

from sandboxes.accounts import Account, account_of
from sandboxes.spec import Limits

MB = 1024 * 1024
DEFAULT_CPU_SECONDS = 600


SESSION_UIDS = range(610_000, 670_000)  # far above any account a distribution creates


def sandbox_account(service_root: str) -> Account | None:
    """The account a service runs as: as root, a uid of the service's own (drawn from
    SESSION_UIDS by its unique scratch folder; two services at once share one with odds of
    1 in 60,000) in nobody's group; otherwise ourselves (None)."""
    if os.geteuid() != 0:
        return None
    index = zlib.crc32(service_root.encode()) % len(SESSION_UIDS)
    return Account(SESSION_UIDS[index], Account.named("nobody").gid)


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


def preexec(limits: dict[int, tuple[int, int]], user: str | Account | None,
            ) -> Callable[[], None]:
    """Runs in the child before exec: own session (process group), rlimits, drop to `user`
    (looked up now, before the fork)."""
    account = account_of(user)

    def run() -> None:
        os.setsid()
        for which, pair in limits.items():
            resource.setrlimit(which, pair)
        if account is not None:
            os.setgid(account.gid)
            os.setgroups([])
            os.setuid(account.uid)

    return run
