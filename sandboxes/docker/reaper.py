"""Remove what sessions left behind: containers, networks (and their firewall rules),
volumes and images built from submissions whose deadline passed - a crashed grader cannot
leave a sandbox running forever."""

from __future__ import annotations

import contextlib
import time

import docker
import docker.errors

from sandboxes.docker.labels import SESSION, expired
from sandboxes.docker.network import bridge_of, unshield_host


def reap(client: docker.DockerClient, *, everything: bool = False,
         session_id: str | None = None) -> dict[str, int]:
    """Remove archlab objects past their deadline (all of them with `everything`, or all of
    one session with `session_id`); returns how many of each kind went."""
    now = time.time()
    selector = f"{SESSION}={session_id}" if session_id else SESSION

    def due(labels: dict[str, str]) -> bool:
        return everything or session_id is not None or expired(labels, now)

    counts = {"containers": 0, "networks": 0, "volumes": 0, "images": 0}
    # ignore_removed: another session's teardown may remove a container while we list them
    for container in client.containers.list(all=True, filters={"label": selector},
                                            ignore_removed=True):
        if due(container.labels):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
                counts["containers"] += 1
    for network in client.networks.list(filters={"label": selector}):
        if due(network.attrs.get("Labels") or {}):
            bridge = bridge_of(network)
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()
                counts["networks"] += 1
            if bridge:
                unshield_host(bridge)
    for volume in client.volumes.list(filters={"label": selector}):
        if due(volume.attrs.get("Labels") or {}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                volume.remove(force=True)
                counts["volumes"] += 1
    for image in client.images.list(filters={"label": selector}):
        if due(image.labels or {}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                client.images.remove(image.id, force=True)
                counts["images"] += 1
    return counts
