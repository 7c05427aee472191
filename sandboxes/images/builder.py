"""Build the lab runtime image without a registry: debootstrap from the machine's own apt
mirror, run the setup script in the chroot, then `docker import` the tree under a tag that
hashes the recipe. Needs root (debootstrap, chroot) and the debootstrap package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from sandboxes.errors import SandboxError
from sandboxes.images.mirror import apt_mirror
from sandboxes.images.recipe import (
    CHANGES,
    HERE,
    PACKAGES,
    REPOSITORY,
    SETUP_SCRIPT,
    SUITE,
    recipe_hash,
    runtime_image,
)


def image_exists(client: docker.DockerClient, reference: str) -> bool:
    try:
        client.images.get(reference)
    except docker.errors.ImageNotFound:
        return False
    return True


def build_runtime_image(client: docker.DockerClient, *, force: bool = False,
                        dockerfile: bool = False, say: Callable[[str], None] = print) -> str:
    """Return the runtime image reference, building it first when missing (or `force`):
    offline with debootstrap, or from the Dockerfile when a registry is reachable."""
    reference = runtime_image()
    if not force and image_exists(client, reference):
        say(f"{reference} is already built")
        return reference
    if dockerfile:
        say(f"docker build {HERE} as {reference}")
        try:
            client.images.build(path=str(HERE), tag=reference, rm=True,
                                buildargs={"PACKAGES": " ".join(PACKAGES)})
        except (docker.errors.BuildError, docker.errors.APIError) as exc:
            raise SandboxError(f"docker build failed: {exc}") from exc
        return reference
    _debootstrap_and_import(client, reference, say)
    return reference


def _debootstrap_and_import(client: docker.DockerClient, reference: str,
                            say: Callable[[str], None]) -> None:
    if os.geteuid() != 0:
        raise SandboxError("building the runtime image needs root (debootstrap and chroot)")
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed: apt-get install debootstrap")
    work = Path(tempfile.mkdtemp(prefix="archlab-image-"))
    try:
        rootfs = work / "rootfs"
        mirror = apt_mirror(SUITE)
        say(f"debootstrap {SUITE} from {mirror} (about a minute)")
        _run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
              str(rootfs), mirror], "debootstrap")
        shutil.copy(SETUP_SCRIPT, rootfs / "setup-rootfs.sh")
        _run(["chroot", str(rootfs), "/bin/sh", "/setup-rootfs.sh"], "the setup script")
        (rootfs / "setup-rootfs.sh").unlink()
        tarball = work / "rootfs.tar"
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."], "tar")
        say(f"importing as {reference}")
        client.api.import_image_from_file(str(tarball), repository=REPOSITORY,
                                          tag=recipe_hash(), changes=list(CHANGES))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not image_exists(client, reference):
        raise SandboxError(f"docker import finished but {reference} is not there")


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-2000:]
        raise SandboxError(f"{what} failed (exit {done.returncode}):\n{output}")
