"""Fixtures of the hostile-submission tests: the target lab with planted secrets, the real
Docker backend, and `attack(case)`, which grades a hostile submission beside an honest one
and checks that the host and the honest learner did not notice."""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from labs.results import GradeResult
from labs.runner import grade
from labs.spec import Lab, load_lab
from sandboxes.docker.backend import DockerBackend
from tests.support.leftovers import docker_leftovers
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
SECRET_VARIABLE = "ARCHLAB_GRADER_SECRET"
# Everything a submission must never see starts with this; each run adds a random part.
MARKER_PREFIX = "ARCHLAB-HOSTILE-MARKER-"


class Target:
    """The lab copy graded against, and the secrets planted around it."""

    def __init__(self, root: Path) -> None:
        self.prefix = MARKER_PREFIX
        self.marker = MARKER_PREFIX + uuid.uuid4().hex
        self.lab_dir = root / "lab"
        shutil.copytree(HERE / "lab", self.lab_dir)
        for beside in ("solution", "."):
            (self.lab_dir / beside / "GRADER-SECRET.txt").write_text(self.marker + "\n")
        self.lab: Lab = load_lab(self.lab_dir)
        self.solution = self.lab_dir / "solution"


def tree_digest(root: Path) -> str:
    """A hash of every path and file content under `root` (what the host holds)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def host_escapes() -> list[str]:
    """Files a submission tried to write outside its sandbox (their names start hostile-)."""
    return [str(p) for p in Path("/tmp").glob("hostile-*")] + [
        str(p) for p in Path("/").glob("hostile-*")]


@pytest.fixture(scope="module")
def backend(runtime_image: str) -> DockerBackend:  # noqa: F811 - the fixture above
    """Docker as the web app gets it for learners: untrusted (the host shield is required)."""
    return DockerBackend(trusted=False, image=runtime_image)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The lab, with a secret beside its solution and checks and in the grader's env."""
    planted = Target(tmp_path_factory.mktemp("hostile-target"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SECRET_VARIABLE, planted.marker)
        yield planted


@pytest.fixture(scope="module")
def honest_baseline(target: Target, backend: DockerBackend) -> float:
    """Seconds the honest solution takes to grade alone, once per module."""
    result = grade(target.lab, target.solution, backend=backend, seed=1)
    assert result.full_marks, f"the honest solution must get full marks alone: {result.to_json()}"
    return result.duration_s


class Attack:
    """A hostile submission's folder, built from submissions/<case>/ plus the honest code."""

    def __init__(self, case: str, target: Target, root: Path) -> None:
        self.case = case
        self.folder = root / case
        shutil.copytree(SUBMISSIONS / case, self.folder)
        shutil.copy(target.solution / "app.py", self.folder / "honest.py")

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text)


@pytest.fixture
def attack(target: Target, backend: DockerBackend, honest_baseline: float, docker_client,
           tmp_path: Path) -> Callable[..., GradeResult]:
    """attack(case, **files) -> the hostile grade, after asserting the host held.

    The hostile submission and another learner's honest one (with a secret of its own) are
    graded at the same time; afterwards the honest one has full marks in about its normal
    time, dockerd answers, neither session left a container, network or volume, no file on
    the host changed, and no secret shows anywhere in the hostile result.
    """

    def run(case: str, **files: str) -> GradeResult:
        hostile = Attack(case, target, tmp_path)
        for name, text in files.items():
            hostile.write(name, text)
        other = tmp_path / "other-learner"
        shutil.copytree(target.solution, other)
        (other / "MY-SECRET.txt").write_text(target.marker + "\n")
        watched = [target.lab_dir, other, hostile.folder]
        before = [tree_digest(path) for path in watched]
        ids = {name: f"hostile-{case}-{name}-{uuid.uuid4().hex[:8]}"
               for name in ("attack", "honest")}
        with ThreadPoolExecutor(2) as pool:
            attacked = pool.submit(grade, target.lab, hostile.folder, backend=backend,
                                   seed=7, submission_id=ids["attack"])
            time.sleep(0.5)  # the hostile code is up to something before the honest one starts
            honest = pool.submit(grade, target.lab, other, backend=backend,
                                 submission_id=ids["honest"]).result()
            result = attacked.result()
        allowed = max(3 * honest_baseline, honest_baseline + 15)
        assert honest.full_marks, (f"expected the honest learner's full marks beside {case}, "
                                   f"got {honest.score}/{honest.max_score} ({honest.verdict})")
        assert honest.duration_s <= allowed, (
            f"expected the honest grade within {allowed:.1f}s beside {case}, "
            f"took {honest.duration_s:.1f}s (alone: {honest_baseline:.1f}s)")
        assert docker_client.ping(), "dockerd stopped answering"
        left = [item for each in ids.values() for item in docker_leftovers(docker_client, each)]
        assert left == [], f"expected no sandbox left after {case}, found {left}"
        assert [tree_digest(path) for path in watched] == before, (
            f"{case} changed files on the host")
        assert host_escapes() == [], f"{case} wrote on the host: {host_escapes()}"
        assert target.marker not in result.to_json(), f"{case} got a secret into its result"
        assert result.gradable, f"expected a gradable verdict for {case}, got {result.to_json()}"
        return result

    return run

