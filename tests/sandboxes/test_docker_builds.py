"""A service built from the submission's own Dockerfile, on the real engine: the image runs
with its CMD, WORKDIR and USER inside the usual hardening, never as root; RUN steps run
offline and are stopped at their limits; a Dockerfile that does not build is a BuildFailed
with Docker's own output, and leaves nothing behind."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import PROBE_APP, get

from sandboxes import Build, BuildFailed, Readiness, ServiceSpec, Topology
from sandboxes.docker.backend import DockerBackend
from sandboxes.images.build_base import MADE_FROM, ROOT_PATH, ensure_build_base
from sandboxes.images.recipe import BUILD_BASE

pytestmark = pytest.mark.docker

PROBE_IMAGE = f"""\
FROM {BUILD_BASE}
WORKDIR /srv/probe
COPY app.py ./
USER lab
CMD ["python3", "app.py"]
"""


@pytest.fixture
def backend(runtime_image):
    return DockerBackend(image=runtime_image)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    """The probe app with the Dockerfile above; tests rewrite the Dockerfile as they need."""
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(PROBE_APP / "app.py", folder / "app.py")
    (folder / "Dockerfile").write_text(PROBE_IMAGE)
    return folder


def built_app(submission: Path, **changes: object) -> ServiceSpec:
    fields: dict = {"name": "app", "kind": "app", "source": submission, "build": Build(),
                    "ready": Readiness(http="/healthz", timeout=20)}
    fields.update(changes)
    return ServiceSpec(**fields)


def images_of(docker_client, session_id: str) -> list[str]:
    return [image["Id"] for image in docker_client.api.images(
        filters={"label": f"archlab.session={session_id}"})]


BUILD_MARK = "archlab.test-build"


def marked(dockerfile: str, marker: str) -> str:
    """`dockerfile` with a LABEL right after each FROM: every image its steps make carries
    `marker`, so what this build left is told from what other builds on the engine make."""
    return "\n".join(line + (f"\nLABEL {BUILD_MARK}={marker}" if line.startswith("FROM ") else "")
                     for line in dockerfile.split("\n"))


def dangling(docker_client, marker: str) -> set[str]:
    """The untagged leaf images of the build marked with `marker` (never another build's:
    a build running elsewhere on the engine has untagged step images until it ends)."""
    return {image["Id"] for image in docker_client.api.images(
        all=True, filters={"dangling": True, "label": f"{BUILD_MARK}={marker}"})}



def test_the_built_image_runs_its_cmd_in_its_workdir_as_its_user(start, submission):
    session = start(built_app(submission))
    status = dict(line.split(":", 1) for line in get(session, "/proc-status").splitlines())
    assert status["Uid"].split()[0] == "10001"
    assert int(status["CapEff"], 16) == 0, "expected no capabilities"
    assert get(session, "/write", path="/srv/probe/x", mb=1) == "failed: Read-only file system"
    user = session.service_user("app")
    assert (user.image_user, user.image_uid, user.running_uids) == ("lab", 10001, (10001,))
    assert session.logs("app").startswith("probe app listening on 8000")


def test_an_image_without_user_is_run_as_the_sandbox_uid_but_reported_as_root(
        start, submission):
    (submission / "Dockerfile").write_text(PROBE_IMAGE.replace("USER lab\n", ""))
    session = start(built_app(submission))
    user = session.service_user("app")
    assert (user.image_user, user.image_uid) == ("root", 0)
    assert user.running_uids == (10001,), "the sandbox ran a root image as root"


def test_a_failed_build_says_what_docker_said_and_leaves_no_image(backend, submission,
                                                                  docker_client, leftovers):
    marker = uuid.uuid4().hex
    (submission / "Dockerfile").write_text(
        marked(PROBE_IMAGE.replace("COPY app.py", "COPY api.py"), marker))
    with pytest.raises(BuildFailed) as caught:
        backend.start(Topology([built_app(submission)]), session_id="build-broken",
                      deadline_s=60)
    assert caught.value.reason.startswith("COPY failed: file not found in build context")
    assert "Step 4/" in caught.value.log_tail and "COPY api.py ./" in caught.value.log_tail
    assert caught.value.log_tail.endswith(caught.value.reason)
    assert str(caught.value) == ("service 'app' did not become ready: its image did not "
                                 f"build: {caught.value.reason}")
    assert leftovers("build-broken") == []
    assert dangling(docker_client, marker) == set(), "the failed build left its step images"


@pytest.mark.parametrize(("dockerfile", "reason"), [
    (PROBE_IMAGE.replace("COPY app.py ./", "ADD https://example.org/app.tgz ./"),
     "Dockerfile:3: ADD is not available here"),
    (PROBE_IMAGE.replace(BUILD_BASE, "python:3.11-slim"),
     "Dockerfile:1: FROM python:3.11-slim cannot be built here"),
    (PROBE_IMAGE.replace('CMD ["python3", "app.py"]\n', ""),
     'the image has no CMD: end the Dockerfile with e.g. CMD ["python3", "app.py"]'),
    (PROBE_IMAGE.replace("USER lab", "USER nobody2"),
     "USER nobody2: the image has no user 'nobody2' in /etc/passwd"),
    (PROBE_IMAGE.replace("USER lab", "USER 10001:staff2"),
     "USER 10001:staff2: the image has no group 'staff2' in /etc/group"),
])
def test_a_dockerfile_that_cannot_run_here_is_a_build_failure(backend, submission, leftovers,
                                                              dockerfile, reason):
    (submission / "Dockerfile").write_text(dockerfile)
    with pytest.raises(BuildFailed) as caught:
        backend.start(Topology([built_app(submission)]), session_id="build-refused",
                      deadline_s=60)
    assert caught.value.reason.startswith(reason)
    assert leftovers("build-refused") == []


MULTI_STAGE = f"""\
FROM {BUILD_BASE} AS build
WORKDIR /build
COPY app.py ./
RUN python3 -m py_compile app.py && useradd --uid 20002 --no-create-home probe

FROM {BUILD_BASE}
COPY --from=build /etc/passwd /etc/group /etc/
WORKDIR /srv/probe
COPY --from=build /build/app.py ./
USER probe
CMD ["python3", "app.py"]
"""


def test_a_multi_stage_build_with_run_keeps_only_its_result(start, submission,
                                                           docker_client):
    marker = uuid.uuid4().hex
    (submission / "Dockerfile").write_text(marked(MULTI_STAGE, marker))
    session = start(built_app(submission), session_id="build-stages")
    user = session.service_user("app")
    assert (user.image_user, user.image_uid, user.running_uids) == ("probe", 20002, (20002,))
    assert get(session, "/healthz") == "ok"
    assert len(images_of(docker_client, "build-stages")) == 1
    assert dangling(docker_client, marker) == set(), "the build stage's images were left behind"


@pytest.mark.parametrize(("step", "timeout", "reason"), [
    ("RUN dd if=/dev/zero of=/big bs=1M count=300", 60, "a RUN step wrote more than 64 MiB"),
    ("RUN for i in $(seq 150); do sleep 30 & done; wait", 60,
     "a RUN step ran more than 64 processes at once"),
    ("RUN sleep 60", 3, "the build took longer than 3s"),
])
def test_a_run_step_past_a_limit_is_stopped_and_named(backend, submission, docker_client,
                                                      leftovers, step, timeout, reason):
    marker = uuid.uuid4().hex
    (submission / "Dockerfile").write_text(
        marked(PROBE_IMAGE.replace("USER lab", f"{step}\nUSER lab"), marker))
    began = time.monotonic()
    with pytest.raises(BuildFailed) as caught:
        backend.start(Topology([built_app(submission, build=Build(timeout=timeout))]),
                      session_id="build-limits", deadline_s=90)
    assert time.monotonic() - began < timeout + 10
    assert caught.value.reason == reason
    assert caught.value.log_tail.endswith(reason)
    assert leftovers("build-limits") == []
    assert dangling(docker_client, marker) == set(), "the stopped build left its step images"


def test_a_run_step_has_no_network(backend, submission):
    probe = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)"
    (submission / "Dockerfile").write_text(PROBE_IMAGE.replace(
        "USER lab", f'RUN python3 -c "{probe}"\nUSER lab'))
    with pytest.raises(BuildFailed) as caught:
        backend.start(Topology([built_app(submission)]), session_id="build-offline",
                      deadline_s=60)
    assert caught.value.reason.endswith("returned a non-zero code: 1")
    assert "Network is unreachable" in caught.value.log_tail


def test_a_missing_dockerfile_is_named(backend, submission):
    (submission / "Dockerfile").unlink()
    with pytest.raises(BuildFailed, match="there is no Dockerfile at the top of the submission"):
        backend.start(Topology([built_app(submission)]), session_id="build-none", deadline_s=60)


def test_the_build_context_and_the_image_growth_are_capped(backend, submission):
    (submission / "big.bin").write_bytes(b"\0" * 9 * 1024 * 1024)
    with pytest.raises(BuildFailed, match="the build context is larger than 8 MiB"):
        backend.start(Topology([built_app(submission)]), session_id="build-big", deadline_s=60)
    (submission / "big.bin").write_bytes(bytes(range(256)) * 28_000)  # 7 MB
    copies = "".join(f"COPY big.bin /srv/copy{n}.bin\n" for n in range(10))
    (submission / "Dockerfile").write_text(PROBE_IMAGE.replace("USER lab\n", copies + "USER lab\n"))
    with pytest.raises(BuildFailed, match=r"the image adds \d+ MiB to its base, more than the "
                                          r"64 MiB allowed"):
        backend.start(Topology([built_app(submission)]), session_id="build-fat", deadline_s=60)


def test_teardown_removes_the_built_image(backend, submission, docker_client, leftovers):
    with backend.start(Topology([built_app(submission)]), session_id="build-teardown",
                       deadline_s=60):
        assert len(images_of(docker_client, "build-teardown")) == 1
    assert images_of(docker_client, "build-teardown") == []
    assert leftovers("build-teardown") == []


def test_reconfigure_runs_the_same_image_with_more_environment(start, submission):
    session = start(built_app(submission, env={"GREETING": "hello"}))
    session.reconfigure("app", {"GREETING": "bonjour", "RELEASE": "r42"})
    env = httpx.get(session.url("app") + "/env", timeout=10).json()
    assert (env["GREETING"], env["RELEASE"], env["PORT"]) == ("bonjour", "r42", "8000")
    assert session.service_user("app").running_uids == (10001,)


def test_the_build_base_is_the_runtime_image_with_roots_user_and_path(docker_client,
                                                                      runtime_image):
    assert ensure_build_base(docker_client, runtime_image) == BUILD_BASE
    base = docker_client.images.get(BUILD_BASE)
    assert base.attrs["Config"]["User"] == "root"
    assert f"PATH={ROOT_PATH}" in base.attrs["Config"]["Env"]
    layers = [layer["Id"] for layer in docker_client.api.history(BUILD_BASE)]
    assert docker_client.images.get(runtime_image).id in layers
    assert MADE_FROM in base.labels
    ensure_build_base(docker_client, runtime_image)
    assert docker_client.images.get(BUILD_BASE).id == base.id, "made again for the same runtime"
