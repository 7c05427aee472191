"""The offline image builder: where packages come from, the recipe tag, the built image."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sandboxes.images import recipe
from sandboxes.images.mirror import NoMirror, apt_mirror
from webapp.cli import main


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_mirror_comes_from_the_deb822_stanza_serving_the_suite(tmp_path):
    write(tmp_path / "sources.list.d/debian.sources",
          "Types: deb\nURIs: http://security.example/debian-security\n"
          "Suites: bookworm-security\nComponents: main\n\n"
          "Types: deb deb-src\n# a comment\nURIs: http://mirror.example/debian\n"
          "Suites: bookworm bookworm-updates\nComponents: main\n")
    assert apt_mirror("bookworm", tmp_path) == "http://mirror.example/debian"


def test_mirror_falls_back_to_one_line_sources_list(tmp_path):
    write(tmp_path / "sources.list",
          "# deb http://commented.example/debian bookworm main\n"
          "deb [arch=amd64] http://old-style.example/debian bookworm main contrib\n")
    assert apt_mirror("bookworm", tmp_path) == "http://old-style.example/debian"


def test_no_mirror_for_the_suite_says_so(tmp_path):
    write(tmp_path / "sources.list", "deb http://x.example/debian bullseye main\n")
    with pytest.raises(NoMirror, match="bookworm"):
        apt_mirror("bookworm", tmp_path)


def test_the_tag_changes_with_the_recipe(monkeypatch):
    before = recipe.runtime_image()
    assert before == f"archlab/runtime:{recipe.recipe_hash()}" and len(recipe.recipe_hash()) == 12
    monkeypatch.setattr(recipe, "PACKAGES", (*recipe.PACKAGES, "jq"))
    assert recipe.runtime_image() != before


@pytest.mark.docker
def test_build_images_reuses_the_built_image(runtime_image):
    result = CliRunner().invoke(main, ["sandbox", "build-images"])
    assert result.exit_code == 0, result.output
    assert runtime_image in result.output


@pytest.mark.docker
def test_the_image_has_the_terminals_clients_and_shell(docker_client, runtime_image):
    """What the terminal promises (curl, psql, redis-cli), the shell it runs and the pkill
    that closing it uses."""
    output = docker_client.containers.run(
        runtime_image, ["sh", "-c", "for tool in curl psql redis-cli bash pkill; do "
                                    "command -v $tool; done"], remove=True)
    assert output.decode().split() == ["/usr/bin/curl", "/usr/bin/psql", "/usr/bin/redis-cli",
                                       "/usr/bin/bash", "/usr/bin/pkill"]


@pytest.mark.docker
def test_the_image_has_the_lab_libraries_and_runs_as_uid_10001(docker_client, runtime_image):
    output = docker_client.containers.run(
        runtime_image, ["python3", "-c", "import flask, redis, requests, httpx, psycopg, "
                        "sqlalchemy, os; print(os.getuid())"],
        remove=True, network_mode="none")
    assert output.decode().strip() == "10001"
