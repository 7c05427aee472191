"""Remove what sessions left behind: containers, networks (and their firewall rules),
volumes and images built from submissions whose deadline passed - a crashed grader cannot
leave a sandbox running forever."""

from __future__ import annotations

import time
from collections.abc import Callable

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
            _remove(counts, "containers", lambda c=container: c.remove(force=True, v=True))
    for network in client.networks.list(filters={"label": selector}):
        if due(network.attrs.get("Labels") or {}):
            bridge = bridge_of(network)
            if _remove(counts, "networks", network.remove) and bridge:
                unshield_host(bridge)
    for volume in client.volumes.list(filters={"label": selector}):
        if due(volume.attrs.get("Labels") or {}):
            _remove(counts, "volumes", lambda v=volume: v.remove(force=True))
    for image in client.images.list(filters={"label": selector}):
        if due(image.labels or {}):
            _remove(counts, "images", lambda i=image: client.images.remove(i.id, force=True))
    return counts


def _remove(counts: dict[str, int], kind: str, remove: Callable[[], object]) -> bool:
    """Remove one object; gone already counts as done. Another teardown racing for the same
    session may hold it ("removal already in progress", a network whose last endpoint is
    still leaving): that is left to the next pass instead of stopping this one."""
    try:
        remove()
    except docker.errors.NotFound:
        return True
    except docker.errors.APIError:
        return False
    counts[kind] += 1
    return True


def remaining(client: docker.DockerClient, session_id: str) -> int:
    """How many containers, networks and volumes of `session_id` Docker still holds."""
    label = {"label": f"{SESSION}={session_id}"}
    return (len(client.containers.list(all=True, filters=label, ignore_removed=True))
            + len(client.networks.list(filters=label)) + len(client.volumes.list(filters=label)))
