"""Build a service's image from the Dockerfile in its submission, offline, and work out which
user that image runs as.

The Dockerfile is checked first (dockerfile.py), the context is capped, and the build runs
on Docker's classic builder with no network, a memory cap and a time limit. `RUN` steps are
the learner's code on the build host, so a watcher polls the container of each running step
and kills it when it writes too much, starts too many processes or outlives the build's
time. Anything that goes wrong is the submission's: BuildFailed with the build's own output
as the log, so the learner reads what Docker said (never our traceback). The images a build
leaves besides its result (earlier stages, steps of a failed build) are removed; the result
carries the session's labels, so teardown and the reaper remove it with the session.
"""

from __future__ import annotations

import collections
import contextlib
import io
import re
import tarfile
import threading
import time
from dataclasses import dataclass

import docker
import docker.errors
import requests
import urllib3.exceptions
from docker.models.containers import Container
from docker.models.images import Image

from sandboxes.docker.container import source_archive
from sandboxes.docker.dockerfile import DockerfileRefused, check_dockerfile
from sandboxes.errors import BuildFailed
from sandboxes.images.recipe import APP_UID, BUILD_BASE
from sandboxes.spec import ServiceSpec

MB = 1024 * 1024
MAX_CONTEXT_BYTES = 8 * MB
MAX_GROWTH_BYTES = 64 * MB      # what the image, and any one RUN step, may add to the base
MAX_STEP_PROCESSES = 64
STEP_MEMORY = 256 * MB
WATCH_INTERVAL_S = 0.25
LOG_LINES = 60
LOG_LINE_CHARS = 400
_STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
_STEP_CONTAINER = re.compile(r"^ ---> Running in ([0-9a-f]{12,64})$")
_NOISE = re.compile(r"^Removing intermediate container ")


@dataclass(frozen=True)
class BuiltImage:
    """A built image: its tag, its USER ("" for none) and the uid that USER names."""

    tag: str
    user: str
    uid: int

    @property
    def run_as(self) -> str:
        """The image's own user, unless that is root: the sandbox never runs root."""
        return self.user if self.uid != 0 else f"{APP_UID}:{APP_UID}"


def build_image(client: docker.DockerClient, spec: ServiceSpec, *, tag: str,
                labels: dict[str, str]) -> BuiltImage:
    """Build `spec`'s Dockerfile (FROM BUILD_BASE, which must exist) as `tag`."""
    assert spec.build is not None and spec.source is not None
    name = spec.build.dockerfile
    path = spec.source / name
    if not path.is_file():
        raise BuildFailed(spec.name, f"there is no {name} at the top of the submission")
    try:
        check_dockerfile(path.read_text(encoding="utf-8", errors="replace"), BUILD_BASE, name)
    except DockerfileRefused as exc:
        raise BuildFailed(spec.name, str(exc)) from None
    context = source_archive(spec.source)
    if len(context) > MAX_CONTEXT_BYTES:
        raise BuildFailed(spec.name, f"the build context is larger than "
                          f"{MAX_CONTEXT_BYTES // MB} MiB")
    log = _Build(client, spec, tag, labels).run(context)
    image = client.images.get(tag)
    problem = _image_problem(client, image)
    if problem:
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(image.id, force=True)
        raise BuildFailed(spec.name, problem, "\n".join([*log, problem]))
    user = image.attrs["Config"].get("User") or ""
    return BuiltImage(tag, user, _uid_of(client, spec, tag, user, labels))


class _Build:
    """One run of the classic builder: its output, the images its steps made, and a watcher
    on the container of the step that is running."""

    def __init__(self, client: docker.DockerClient, spec: ServiceSpec, tag: str,
                 labels: dict[str, str]) -> None:
        assert spec.build is not None
        self.client, self.spec, self.tag, self.labels = client, spec, tag, labels
        self.timeout = spec.build.timeout
        self.deadline = time.monotonic() + self.timeout
        self.log: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self.made: list[str] = []
        self.step: str | None = None      # the container of the step that runs now
        self.stopped = threading.Event()
        self.watch_verdict: str | None = None  # why the watcher killed a step

    def run(self, context: bytes) -> list[str]:
        """The build's output; BuildFailed after removing what it made when it fails."""
        base_id = self.client.images.get(BUILD_BASE).id
        watcher = threading.Thread(target=self.watch, name="build-watch", daemon=True)
        watcher.start()
        try:
            reason = self.stream(context)
        finally:
            self.stopped.set()
            watcher.join()
        reason = self.watch_verdict or reason
        self.remove_leftovers(base_id)
        if reason is None:
            return list(self.log)
        self.log.append(reason)
        raise BuildFailed(self.spec.name, reason, "\n".join(self.log))

    def stream(self, context: bytes) -> str | None:
        """Read the builder's output to the end; the reason it failed, or None."""
        assert self.spec.build is not None
        stream = self.client.api.build(
            fileobj=io.BytesIO(context), custom_context=True,
            dockerfile=self.spec.build.dockerfile, tag=self.tag, labels=self.labels,
            network_mode="none", pull=False, nocache=True, rm=True, forcerm=True,
            container_limits={"memory": STEP_MEMORY, "memswap": STEP_MEMORY},
            decode=True, timeout=self.timeout + 10)
        try:
            for line in stream:
                if "error" in line:
                    return str(line["error"]).strip()
                for text in str(line.get("stream", "")).splitlines():
                    self.note(text)
        except docker.errors.APIError as exc:
            return exc.explanation or str(exc)
        except (OSError, requests.RequestException, urllib3.exceptions.HTTPError):
            return f"the build took longer than {self.timeout:g}s"  # a read waited past it
        finally:
            with contextlib.suppress(Exception):
                stream.close()
        return None

    def note(self, text: str) -> None:
        step_image = _STEP_IMAGE.match(text)
        step_container = _STEP_CONTAINER.match(text)
        if step_image:
            self.made.append(step_image.group(1))
            self.step = None
        elif step_container:
            self.step = step_container.group(1)
        elif text.strip() and not _NOISE.match(text):
            self.log.append(text.rstrip()[:LOG_LINE_CHARS])

    def watch(self) -> None:
        """Kill the running step's container when it goes past a limit."""
        while not self.stopped.wait(WATCH_INTERVAL_S):
            step = self.step
            if step is None:
                continue
            verdict = self.step_problem(step)
            if verdict:
                self.watch_verdict = verdict
                with contextlib.suppress(docker.errors.APIError):
                    self.client.api.kill(step)
                return

    def step_problem(self, step: str) -> str | None:
        if time.monotonic() > self.deadline:
            return f"the build took longer than {self.timeout:g}s"
        try:
            found = self.client.api.containers(all=True, size=True, filters={"id": step})
            stats = self.client.api.stats(step, stream=False, one_shot=True)
        except (docker.errors.APIError, requests.RequestException):  # the step ended meanwhile
            return None
        written = (found[0].get("SizeRw") or 0) if found else 0
        processes = (stats.get("pids_stats") or {}).get("current") or 0
        if written > MAX_GROWTH_BYTES:
            return f"a RUN step wrote more than {MAX_GROWTH_BYTES // MB} MiB"
        if processes > MAX_STEP_PROCESSES:
            return f"a RUN step ran more than {MAX_STEP_PROCESSES} processes at once"
        return None

    def remove_leftovers(self, base_id: str) -> None:
        """Remove the untagged images the steps made: earlier stages, and every step of a
        failed build. The result's own parents are kept (the engine refuses to remove them)."""
        for image_id in reversed(self.made):
            if base_id.removeprefix("sha256:").startswith(image_id):
                continue
            with contextlib.suppress(docker.errors.APIError):
                if not self.client.images.get(image_id).tags:
                    self.client.images.remove(image_id)


def _image_problem(client: docker.DockerClient, image: Image) -> str | None:
    config = image.attrs["Config"]
    if not config.get("Cmd") and not config.get("Entrypoint"):
        return 'the image has no CMD: end the Dockerfile with e.g. CMD ["python3", "app.py"]'
    growth = image.attrs["Size"] - client.images.get(BUILD_BASE).attrs["Size"]
    if growth > MAX_GROWTH_BYTES:
        return (f"the image adds {growth // MB} MiB to its base, more than the "
                f"{MAX_GROWTH_BYTES // MB} MiB allowed")
    return None


def _uid_of(client: docker.DockerClient, spec: ServiceSpec, tag: str, user: str,
            labels: dict[str, str]) -> int:
    """The uid `user` (USER's `name[:group]`) names in the image; BuildFailed when the image
    has no such user or group (the container could not start)."""
    name, _, group = user.partition(":")
    if name in ("", "root"):
        uid: int | None = 0
    elif name.isdigit():
        uid = int(name)
    else:
        uid = None
    if uid is not None and (not group or group.isdigit()):
        return uid
    passwd, groups = _account_files(client, tag, labels)
    if uid is None:
        uid = passwd.get(name)
        if uid is None:
            raise BuildFailed(spec.name, f"USER {user}: the image has no user {name!r} in "
                              "/etc/passwd (the base image has lab, uid 10001)")
    if group and not group.isdigit() and group not in groups:
        raise BuildFailed(spec.name, f"USER {user}: the image has no group {group!r} in "
                          "/etc/group (the base image has lab, gid 10001)")
    return uid


def _account_files(client: docker.DockerClient, tag: str, labels: dict[str, str],
                   ) -> tuple[dict[str, int], set[str]]:
    """(user name -> uid, group names) from the image's /etc/passwd and /etc/group, read
    from a container that is created but never started."""
    container = client.containers.create(tag, command=["true"], network_disabled=True,
                                         labels=labels)
    try:
        passwd = _read_file(container, "/etc/passwd")
        group = _read_file(container, "/etc/group")
    finally:
        container.remove(force=True)
    users = {}
    for line in passwd.splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[2].isdigit():
            users[fields[0]] = int(fields[2])
    return users, {line.split(":", 1)[0] for line in group.splitlines() if line}


def _read_file(container: Container, path: str) -> str:
    try:
        chunks, _ = container.get_archive(path)
    except docker.errors.NotFound:
        return ""
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        member = tar.next()
        extracted = tar.extractfile(member) if member is not None else None
        return extracted.read().decode(errors="replace") if extracted else ""
