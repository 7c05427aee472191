"""Which backend `auto` picks, and the `archlab sandbox` commands."""

from __future__ import annotations

import re
import time

import pytest
from click.testing import CliRunner

from sandboxes import SandboxError, get_backend
from sandboxes.docker.backend import DockerBackend
from sandboxes.docker.labels import DEADLINE, SESSION
from sandboxes.process.backend import ProcessBackend
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


@pytest.mark.docker
def test_reap_command_counts_what_it_removed(docker_client, runtime_image):
    labels = {SESSION: "cli-reap", DEADLINE: str(int(time.time()) - 1)}
    docker_client.containers.create(runtime_image, ["true"], labels=labels)
    result = CliRunner().invoke(main, ["sandbox", "reap"])
    assert result.exit_code == 0, result.output
    assert re.match(r"[1-9]\d* containers, \d+ networks, \d+ volumes, \d+ images, \d+ process "
                    r"sandboxes removed", result.output)
    assert docker_client.containers.list(all=True, filters={"label": "archlab.session=cli-reap"}
                                         ) == []


def test_reap_command_reaps_process_sandboxes_without_an_engine(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    result = CliRunner().invoke(main, ["sandbox", "reap"])
    assert result.exit_code == 0, result.output
    assert re.match(r"\d+ process sandboxes removed; Docker not reaped: no Docker engine "
                    r"answers", result.output), result.output
