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
from sandboxes.parallel import each_at_once


def reap(client: docker.DockerClient, *, everything: bool = False,
         session_id: str | None = None, labels: dict[str, str] | None = None,
         now: float | None = None) -> dict[str, int]:
    """Remove archlab objects past their deadline (all of them with `everything`, or all of
    one session with `session_id`), only those that also carry `labels` if given, with
    deadlines judged as of `now` (default: the clock); returns how many of each kind went."""
    now = time.time() if now is None else now
    selector = ([f"{SESSION}={session_id}" if session_id else SESSION]
                + [f"{name}={value}" for name, value in (labels or {}).items()])

    def due(labels: dict[str, str]) -> bool:
        return everything or session_id is not None or expired(labels, now)

    counts = {"containers": 0, "networks": 0, "volumes": 0, "images": 0}
    # ignore_removed: another session's teardown may remove a container while we list them
    containers = [container for container in client.containers.list(
        all=True, filters={"label": selector}, ignore_removed=True) if due(container.labels)]
    counts["containers"] = _count(each_at_once(
        lambda c: _remove(lambda: c.remove(force=True, v=True)), containers))
    for network in client.networks.list(filters={"label": selector}):
        if due(network.attrs.get("Labels") or {}):
            bridge = bridge_of(network)
            outcome = _remove(network.remove)
            counts["networks"] += _count([outcome])
            if outcome != BUSY and bridge:
                unshield_host(bridge)
    volumes = [volume for volume in client.volumes.list(filters={"label": selector})
               if due(volume.attrs.get("Labels") or {})]
    counts["volumes"] = _count(each_at_once(lambda v: _remove(lambda: v.remove(force=True)),
                                            volumes))
    # the low-level listing: images.list() inspects each image it found, and one another
    # session's teardown removed meanwhile made the whole reap fail with 404
    for image in client.api.images(filters={"label": selector}):
        if due(image.get("Labels") or {}):
            counts["images"] += _count([_remove(
                lambda i=image["Id"]: client.images.remove(i, force=True))])
    return counts


REMOVED, GONE, BUSY = "removed", "gone", "busy"


def _remove(remove: Callable[[], object]) -> str:
    """Remove one object: REMOVED, or GONE already (done too). Another teardown racing for
    the same session may hold it ("removal already in progress", a network whose last
    endpoint is still leaving): BUSY, left to the next pass instead of stopping this one."""
    try:
        remove()
    except docker.errors.NotFound:
        return GONE
    except docker.errors.APIError:
        return BUSY
    return REMOVED


def _count(outcomes: list[str]) -> int:
    return sum(outcome == REMOVED for outcome in outcomes)


def remaining(client: docker.DockerClient, session_id: str) -> int:
    """How many containers, networks and volumes of `session_id` Docker still holds."""
    label = {"label": f"{SESSION}={session_id}"}
    return (len(client.containers.list(all=True, filters=label, ignore_removed=True))
            + len(client.networks.list(filters=label)) + len(client.volumes.list(filters=label)))
