"""How one service becomes hardened containers: its anchor (the service's place on the
session network) and the service itself (command, limits, mounts, env, archive)."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docker.types import LogConfig, Ulimit

from sandboxes.images.recipe import APP_UID
from sandboxes.spec import DEFAULT_PORTS, ServiceSpec

MB = 1024 * 1024
APP_DIR = "/app"
PG_DATA = "/var/lib/archlab/pgtemplate"  # the image's initialised cluster; a volume copies it
SCRATCH = "/tmp"  # noqa: S108 - inside the container: its own size-capped tmpfs
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the session network is internal
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": SCRATCH}


def service_port(spec: ServiceSpec) -> int:
    return spec.port or DEFAULT_PORTS[spec.kind]


def command(spec: ServiceSpec) -> list[str]:
    port = str(service_port(spec))
    if spec.kind == "redis":
        return ["redis-server", "--bind", ALL_INTERFACES, "--port", port, "--save", "",
                "--appendonly", "no", "--protected-mode", "no", "--dir", SCRATCH,
                "--maxmemory", f"{max(1, int(spec.limits.memory_mb * 0.75))}mb"]
    if spec.kind == "postgres":
        return ["postgres", "-D", PG_DATA, "-p", port, "-c", "listen_addresses=*",
                "-k", SCRATCH, "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "shared_buffers=16MB"]
    return list(spec.command or [])


def data_mount(spec: ServiceSpec) -> str | None:
    """Where the service's per-session volume goes: learner/stub files, or the database.
    A service built from a Dockerfile has none: its files are in its image."""
    if spec.build is not None:
        return None
    if spec.kind == "postgres":
        return PG_DATA
    return APP_DIR if spec.kind in ("app", "process") else None


LOCKED_DOWN = {"user": f"{APP_UID}:{APP_UID}", "cap_drop": ["ALL"],
               "security_opt": ["no-new-privileges"], "init": True, "read_only": True}
ANCHOR_COMMAND = ["sleep", "infinity"]
# `sleep` needs almost nothing, but runc's init runs inside these limits while the anchor
# starts: at 16 MiB and 5% of a CPU a loaded engine sometimes lost it mid-start ("cannot
# start a stopped process"), so the caps leave it room.
ANCHOR_LIMITS = {"pids_limit": 4, "mem_limit": "64m", "memswap_limit": "64m",
                 "nano_cpus": int(0.25 * 1e9),
                 "log_config": LogConfig(type="json-file", config={"max-size": "1k",
                                                                   "max-file": "1"})}


def anchor_kwargs(spec: ServiceSpec, *, image: str, name: str, network: str,
                  labels: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments of containers.create for a service's anchor: an idle container that
    owns the service's network namespace, address and name on the session network.

    The service runs inside the anchor's namespace, so while the service is stopped its
    name still resolves at once and its port refuses connections, as a stopped process's
    port does on the host. (A stopped container of its own would leave the name to
    Docker's DNS, which takes about 10 s to give up on it.)
    """
    return {"image": image, "command": ANCHOR_COMMAND, "name": name, "hostname": spec.name,
            "labels": labels, "network": network, "environment": BASE_ENV,
            "working_dir": SCRATCH, **LOCKED_DOWN, **ANCHOR_LIMITS}


def create_kwargs(spec: ServiceSpec, *, image: str, name: str, anchor: str,
                  env: dict[str, str], labels: dict[str, str], volume: str | None,
                  ) -> dict[str, Any]:
    """Keyword arguments of containers.create for a locked-down service container, in the
    network namespace of the container `anchor`."""
    limits = spec.limits
    memory = f"{int(limits.memory_mb)}m"
    mounts = {volume: {"bind": data_mount(spec), "mode": "rw"}} if volume else {}
    return {
        "image": image, "command": command(spec), "name": name,
        "working_dir": APP_DIR if spec.kind in ("app", "process") else SCRATCH,
        "environment": {**BASE_ENV, **env}, "labels": labels,
        "network_mode": f"container:{anchor}", **LOCKED_DOWN,
        "pids_limit": int(limits.pids), "mem_limit": memory, "memswap_limit": memory,
        "nano_cpus": int(limits.cpus * 1e9),
        "tmpfs": {SCRATCH: f"rw,nosuid,nodev,size={int(limits.tmpfs_mb)}m,mode=1777"},
        "volumes": mounts,
        "ulimits": [Ulimit(name="nofile", soft=int(limits.nofile), hard=int(limits.nofile)),
                    Ulimit(name="fsize", soft=int(limits.file_size_mb * MB),
                           hard=int(limits.file_size_mb * MB)),
                    Ulimit(name="core", soft=0, hard=0)],
        "log_config": LogConfig(type="json-file", config={
            "max-size": f"{max(1, int(limits.log_kb))}k", "max-file": "1"}),
        "stop_signal": "SIGINT" if spec.kind == "postgres" else "SIGTERM",
    }


def source_archive(source: Path, files: Mapping[str, Path] | None = None) -> bytes:
    """A tar of `source` (then `files`, relative path -> host file, over it) owned by root
    and read-only to others, so the app cannot rewrite its own code; symlinks are kept as
    links (they resolve inside the container)."""
    buffer = io.BytesIO()

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if "__pycache__" in info.name.split("/"):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = (info.mode & 0o755) | (0o755 if info.isdir() else 0o644)
        return info

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for child in sorted(Path(source).iterdir()):
            tar.add(child, arcname=child.name, filter=owned_by_root)
        for relative, path in sorted((files or {}).items()):
            tar.add(path, arcname=Path(relative).as_posix(), filter=owned_by_root)
    return buffer.getvalue()
