"""Which backend `auto` picks, and the `archlab sandbox` commands."""

from __future__ import annotations

import functools
import re
import secrets
import time

import pytest
from click.testing import CliRunner

from sandboxes import SandboxError, get_backend
from sandboxes.docker import reaper as docker_reaper
from sandboxes.docker.backend import DockerBackend
from sandboxes.docker.labels import DEADLINE, SESSION
from sandboxes.docker.reaper import reap
from sandboxes.process import reaper as process_reaper
from sandboxes.process.backend import ProcessBackend
from tests.support.leftovers import docker_leftovers
from webapp.cli import main


def test_environment_overrides_auto(monkeypatch):
    monkeypatch.setenv("ARCHLAB_SANDBOX", "process")
    assert isinstance(get_backend(), ProcessBackend)
    assert isinstance(get_backend("auto", trusted=False), ProcessBackend)
    assert get_backend("auto", trusted=False).trusted is False


def test_an_unknown_backend_name_is_refused():
    with pytest.raises(SandboxError, match="unknown sandbox backend 'lxc'"):
        get_backend("lxc")


@pytest.mark.docker
def test_auto_picks_docker_when_an_engine_answers(docker_client, monkeypatch):
    monkeypatch.delenv("ARCHLAB_SANDBOX", raising=False)
    assert isinstance(get_backend("auto"), DockerBackend)
    output = CliRunner().invoke(main, ["sandbox", "doctor"]).output
    assert output.startswith("backend: docker (the Docker engine"), output


def test_auto_falls_back_to_processes_without_an_engine(monkeypatch):
    monkeypatch.delenv("ARCHLAB_SANDBOX", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert isinstance(get_backend("auto"), ProcessBackend)
    output = CliRunner().invoke(main, ["sandbox", "doctor"]).output
    assert output.startswith("backend: process (no Docker engine answers"), output


@pytest.fixture
def reaps_of_this_test(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], float]:
    """`archlab sandbox reap` reaping only what carries this test's labels (returned), as of
    an hour ahead (returned): a reap of the whole machine would count, and remove, other
    sessions' leftovers (a killed grader's sandbox that another test is looking at), and
    other runs' janitors would take an expired object of this test before it does."""
    ours, as_of = {"archlab.lab": f"cli-reap-{secrets.token_hex(4)}"}, time.time() + 3600
    monkeypatch.setattr(docker_reaper, "reap", functools.partial(reap, labels=ours, now=as_of))
    monkeypatch.setattr(process_reaper, "reap", functools.partial(process_reaper.reap,
                                                                  labels=ours))
    return ours, as_of


@pytest.mark.docker
def test_reap_command_counts_what_it_removed(docker_client, runtime_image, reaps_of_this_test):
    ours, as_of = reaps_of_this_test
    session_id = ours["archlab.lab"]
    labels = {SESSION: session_id, DEADLINE: str(int(as_of) - 1), **ours}
    docker_client.containers.create(runtime_image, ["true"], labels=labels)
    try:
        result = CliRunner().invoke(main, ["sandbox", "reap"])
    finally:
        left = docker_leftovers(docker_client, session_id)
        reap(docker_client, session_id=session_id)
    assert result.exit_code == 0, result.output
    assert result.output == ("1 containers, 0 networks, 0 volumes, 0 images, 0 process "
                             "sandboxes removed\n")
    assert left == []


def test_reap_command_reaps_process_sandboxes_without_an_engine(monkeypatch, reaps_of_this_test):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    result = CliRunner().invoke(main, ["sandbox", "reap"])
    assert result.exit_code == 0, result.output
    assert re.match(r"0 process sandboxes removed; Docker not reaped: no Docker engine "
                    r"answers", result.output), result.output
