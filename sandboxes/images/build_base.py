"""The image learners' Dockerfiles build FROM (`archlab/runtime:lab`), made from the runtime
image on the grading host itself, so a Dockerfile builds offline with no registry.

It is the runtime image as a base image usually is: USER root (so a Dockerfile chooses its
own user, and RUN can add one) and root's usual PATH (useradd lives in /usr/sbin). It is
labelled with a hash of the runtime image's id and of this recipe: when either changes, the
tag moves to a new image.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading

import docker
import docker.errors

from sandboxes.errors import SandboxError
from sandboxes.images.recipe import BUILD_BASE

MADE_FROM = "archlab.build-base-of"
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_lock = threading.Lock()


def ensure_build_base(client: docker.DockerClient, runtime: str) -> str:
    """Return BUILD_BASE, (re)made first unless it already stands on `runtime`."""
    with _lock:
        dockerfile = f"FROM {runtime}\nUSER root\nENV PATH={ROOT_PATH}\n"
        made_from = hashlib.sha256(
            (client.images.get(runtime).id + dockerfile).encode()).hexdigest()[:16]
        try:
            current = client.images.get(BUILD_BASE)
        except docker.errors.ImageNotFound:
            current = None
        if current is not None and (current.labels or {}).get(MADE_FROM) == made_from:
            return BUILD_BASE
        _build(client, f"{dockerfile}LABEL {MADE_FROM}={made_from}\n", runtime)
        if current is not None:
            _drop_if_untagged(client, current.id)
        return BUILD_BASE


def _build(client: docker.DockerClient, dockerfile: str, runtime: str) -> None:
    text = dockerfile.encode()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    context.seek(0)
    try:
        for line in client.api.build(fileobj=context, custom_context=True, tag=BUILD_BASE,
                                     rm=True, forcerm=True, pull=False, network_mode="none",
                                     decode=True):
            if "error" in line:
                raise SandboxError(f"making {BUILD_BASE} from {runtime} failed: "
                                   f"{line['error']}")
    except docker.errors.APIError as exc:
        raise SandboxError(f"making {BUILD_BASE} from {runtime} failed: {exc}") from exc


def _drop_if_untagged(client: docker.DockerClient, image_id: str) -> None:
    """Remove the base made from an older runtime image once nothing names it."""
    try:
        if not client.images.get(image_id).tags:
            client.images.remove(image_id)
    except docker.errors.APIError:
        pass  # still used by a built image or a container: it goes when they do
