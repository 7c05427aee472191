"""lab.toml loading: a valid file becomes a Lab; every mistake names its file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from labs.spec import LabSpecError, load_lab
from labs.topology import build_topology
from sandboxes import Readiness

VALID = """\
id = "toy"
title = "A toy lab"
chapter = "toys"

[grading]
time_limit = 60
check_timeout = 5

[app]
command = ["python3", "app.py"]
ready = { http = "/healthz", timeout = 10 }
env = { CACHE_URL = "${cache.url}" }
[app.limits]
memory_mb = 128

[services.cache]
kind = "redis"
[services.stub]
kind = "process"
command = ["python3", "services/stub.py"]
"""


def write_lab(tmp_path: Path, text: str) -> Path:
    (tmp_path / "lab.toml").write_text(textwrap.dedent(text))
    return tmp_path


def test_valid_lab_loads_every_section(tmp_path: Path) -> None:
    lab = load_lab(write_lab(tmp_path, VALID))
    assert (lab.id, lab.title, lab.chapter) == ("toy", "A toy lab", "toys")
    assert (lab.grading.time_limit, lab.grading.check_timeout) == (60, 5)
    assert lab.app.command == ("python3", "app.py")
    assert lab.app.ready.http == "/healthz" and lab.app.ready.timeout == 10
    assert lab.app.env == {"CACHE_URL": "${cache.url}"}
    assert lab.app.limits == {"memory_mb": 128}
    assert [(s.name, s.kind) for s in lab.services] == [("cache", "redis"), ("stub", "process")]
    assert lab.services[1].command == ("python3", "services/stub.py")
    assert lab.root == tmp_path


@pytest.mark.parametrize(("edit", "line", "words"), [
    (lambda t: t.replace('title = "A toy lab"', 'title = "A toy lab'), 2, "invalid TOML"),
    (lambda t: t.replace("check_timeout = 5", "check_timeout = 5\nretries = 3"), 8,
     "unknown key 'retries' in [grading]"),
    (lambda t: t.replace('command = ["python3", "app.py"]\n', ""), 9,
     "missing required key 'command' in [app] (or a build"),
    (lambda t: t.replace('chapter = "toys"', 'chapter = "toys"\nrequires = ["gpu"]'), 4,
     "unknown requirement 'gpu' in requires (known: docker)"),
    (lambda t: t.replace('chapter = "toys"', 'chapter = "toys"\nrequires = "docker"'), 4,
     "requires must be a list of strings"),
    (lambda t: t.replace('command = ["python3", "app.py"]', 'build = { timeout = 60 }'), 10,
     '[app] build needs requires = ["docker"]'),
    (lambda t: t.replace('command = ["python3", "app.py"]',
                         'command = ["python3", "app.py"]\nbuild = { timeout = 60 }'), 9,
     "either a command or a build (an image built from the submission's Dockerfile), not both"),
    (lambda t: t.replace('chapter = "toys"', 'chapter = "toys"\nrequires = ["docker"]').replace(
        'command = ["python3", "app.py"]',
        'build = { dockerfile = "../Dockerfile", timeout = 60 }'), 11,
     "build.dockerfile must be a file name at the top of the submission"),
    (lambda t: t.replace("memory_mb = 128", "memory_gb = 1"), 14, "unknown key 'memory_gb'"),
    (lambda t: t.replace("memory_mb = 128", "memory_mb = -1"), 14, "positive number"),
    (lambda t: t.replace('kind = "redis"', 'kind = "mongo"'), 17, "unknown kind 'mongo'"),
    (lambda t: t.replace('command = ["python3", "services/stub.py"]\n', ""), 18,
     "of kind 'process' needs a command"),
    (lambda t: t.replace("${cache.url}", "${cash.url}"), 12, "must name a service"),
    (lambda t: t.replace('"/healthz"', '"healthz"'), 11, "starting with '/'"),
    (lambda t: t.replace('["python3", "app.py"]', '"python3 app.py"'), 10,
     "non-empty list of strings"),
    (lambda t: t.replace('id = "toy"\n', ""), 1, "missing required key 'id'"),
    (lambda t: t + '[services.worker]\nkind = "learner"\n', 21,
     "of kind 'learner' needs a command"),
    (lambda t: t.replace('timeout = 10 }', 'timeout = 10, tcp = "no" }'), 11,
     "ready.tcp must be true or false"),
    (lambda t: t.replace('timeout = 10 }', 'timeout = 10, tcp = false }'), 11,
     "ready.http needs a port"),
])
def test_mistakes_are_reported_with_file_and_line(tmp_path: Path, edit, line: int,
                                                   words: str) -> None:
    write_lab(tmp_path, edit(VALID))
    with pytest.raises(LabSpecError) as caught:
        load_lab(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{(tmp_path / 'lab.toml').as_posix()}:{line}: "), message
    assert words in message


def test_a_lab_whose_app_is_built_from_a_dockerfile_requires_docker(tmp_path: Path) -> None:
    text = VALID.replace('chapter = "toys"', 'chapter = "toys"\nrequires = ["docker"]').replace(
        'command = ["python3", "app.py"]', 'build = { timeout = 45 }')
    lab = load_lab(write_lab(tmp_path, text))
    assert lab.requires == ("docker",)
    assert lab.app.command == ()
    assert (lab.app.build.dockerfile, lab.app.build.timeout) == ("Dockerfile", 45)


def test_a_lab_requires_nothing_by_default(tmp_path: Path) -> None:
    assert load_lab(write_lab(tmp_path, VALID)).requires == ()


def test_a_lab_is_parsed_once_per_text_and_an_edit_is_read_again(tmp_path: Path) -> None:
    folder = write_lab(tmp_path, VALID)
    assert load_lab(folder) is load_lab(folder), "the same lab.toml is not parsed twice"
    write_lab(tmp_path, VALID.replace('title = "A toy lab"', 'title = "Renamed"'))
    assert load_lab(folder).title == "Renamed"
    write_lab(tmp_path, VALID.replace("time_limit = 60", "time_limit = sixty"))
    with pytest.raises(LabSpecError, match=r"lab.toml:6: invalid TOML"):
        load_lab(folder)


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(LabSpecError, match="cannot read"):
        load_lab(tmp_path)


WITH_WORKER = VALID + """\
[services.worker]
kind = "learner"
command = ["python3", "worker.py"]
ready = { tcp = false, timeout = 1 }
env = { CACHE_URL = "${cache.url}" }
"""


def test_a_learner_service_runs_from_the_submission_like_the_app(tmp_path: Path) -> None:
    lab = load_lab(write_lab(tmp_path, WITH_WORKER))
    assert [s.name for s in lab.learner_services] == ["app", "worker"]
    worker = lab.learner_services[1]
    assert (worker.ready.tcp, worker.ready.timeout, worker.ready.http) == (False, 1, None)
    submission = tmp_path / "submission"
    topology = build_topology(lab, submission)
    kinds = {s.name: (s.kind, s.source) for s in topology.services}
    assert kinds["app"] == kinds["worker"] == ("app", submission)
    assert kinds["stub"] == ("process", tmp_path) and kinds["cache"] == ("redis", None)
    assert topology.service("worker").readiness == Readiness(tcp=False, timeout=1)


def test_an_open_files_limit_reaches_the_sandbox_and_defaults_to_256(tmp_path: Path) -> None:
    lab = load_lab(write_lab(tmp_path, VALID.replace("memory_mb = 128", "nofile = 1024")))
    topology = build_topology(lab, tmp_path / "submission")
    assert topology.service("app").limits.nofile == 1024
    assert topology.service("cache").limits.nofile == 256
