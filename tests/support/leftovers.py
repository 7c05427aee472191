"""What a sandbox session left on this machine, per backend: the tests' proof of teardown."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from sandboxes.local_servers import scratch_base


def process_leftovers(session_id: str) -> list[str]:
    """Scratch folders and live processes (by working directory) of a process session."""
    prefix = f"{scratch_base()}/sbx-{session_id}-"
    found = [str(p) for p in Path(prefix).parent.glob(Path(prefix).name + "*")]
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if os.readlink(proc / "cwd").startswith(prefix):
                found.append(f"pid {proc.name}")
    return found


def docker_leftovers(client, session_id: str, label_name: str = "archlab.session") -> list[str]:
    """Containers, networks, volumes and built images labelled with the session (or with
    another label: `label_name="archlab.lab"` finds every session of a lab)."""
    label = {"label": f"{label_name}={session_id}"}
    # ignore_removed, and images by the low-level listing: a teardown running meanwhile may
    # remove a container or an image between the listing and the inspection of each
    containers = client.containers.list(all=True, filters=label, ignore_removed=True)
    return ([f"container {c.name}" for c in containers]
            + [f"network {n.name}" for n in client.networks.list(filters=label)]
            + [f"volume {v.name}" for v in client.volumes.list(filters=label)]
            + [f"image {i['Id']}" for i in client.api.images(filters=label)])


def left_after_teardown(find: Callable[[str], list[str]], session_id: str,
                        within: float = 30.0) -> list[str]:
    """What `find` still sees of `session_id` once its teardown had `within` seconds to
    finish: a teardown on another thread (the deadline's watchdog) or the kernel's delivery
    of a SIGKILL takes seconds on a loaded machine, so a fixed short sleep saw leftovers that
    were on their way out. [] as soon as nothing is left."""
    deadline = time.monotonic() + within
    while (left := find(session_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
