"""What `archlab sandbox doctor` reports: the backend `auto` picks and each one's readiness."""

from __future__ import annotations

import os
import shutil

from sandboxes.local_servers import MissingServerBinary, postgres_bindir, redis_binary
from sandboxes.selection import choose_backend, docker_engine


def findings() -> list[str]:
    chosen, why = choose_backend("auto")
    lines = [f"backend: {chosen} ({why})"]
    answers, engine = docker_engine()
    lines.append(f"docker: {engine}")
    if answers:
        lines += _docker_details()
    lines += _process_details()
    return lines


def _docker_details() -> list[str]:
    import docker

    from sandboxes.images.builder import image_exists
    from sandboxes.images.recipe import runtime_image

    client = docker.from_env(timeout=10)
    try:
        built = image_exists(client, runtime_image())
    finally:
        client.close()
    root = os.geteuid() == 0
    return [
        f"docker: image {runtime_image()} "
        + ("is built" if built else "is missing: run `archlab sandbox build-images`"),
        "docker: host shield (iptables) " + ("available" if root and shutil.which("iptables")
                                             else "unavailable: needs root and iptables; "
                                             "untrusted sessions will be refused"),
        "docker: latency faults " + ("possible if the kernel has sch_netem" if root and
                                     shutil.which("tc") else "unavailable (needs root and tc)"),
    ]


def _process_details() -> list[str]:
    lines = []
    for name, find in (("redis-server", redis_binary), ("postgres", postgres_bindir)):
        try:
            lines.append(f"process: {name} at {find()}")
        except MissingServerBinary as exc:
            lines.append(f"process: {exc}")
    user = "nobody" if os.geteuid() == 0 else "your own user (no isolation from your files)"
    lines.append(f"process: learner code would run as {user}; untrusted learners need "
                 "ARCHLAB_ALLOW_PROCESS_SANDBOX=1")
    return lines
