"""What `archlab sandbox doctor` reports: the backend `auto` picks and each one's readiness."""

from __future__ import annotations

import os
import shutil
import subprocess

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
    lines.append(_host_python())
    user = "nobody" if os.geteuid() == 0 else "your own user (no isolation from your files)"
    lines.append(f"process: learner code would run as {user}; untrusted learners need "
                 "ARCHLAB_ALLOW_PROCESS_SANDBOX=1")
    return lines


# The libraries a lab's python3 finds in the runtime image; the process backend runs the
# host's python3, so it needs the same Debian packages (python3-flask, python3-psycopg, ...).
LAB_MODULES = ("flask", "redis", "requests", "httpx", "psycopg", "sqlalchemy")


def _host_python() -> str:
    probe = ("import importlib.util as u; print(' '.join(m for m in "
             f"{LAB_MODULES!r} if u.find_spec(m) is None))")
    try:
        done = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True,
                              text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"process: /usr/bin/python3 does not run ({exc})"
    missing = done.stdout.split()
    if not missing:
        return "process: /usr/bin/python3 has the lab libraries"
    packages = " ".join(f"python3-{name}" for name in missing)
    return (f"process: /usr/bin/python3 lacks {', '.join(missing)}: labs will not start "
            f"here (apt-get install {packages})")
