"""Load a lab's code on the runtime image, whose Debian libraries are older than this project's.

The direct tests run a lab on the project's newer Flask, psycopg and httpx; running the same
imports on the image catches a name the image's versions do not have yet.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from labs.topology import STUBKIT, service_spec
from sandboxes.addresses import resolve_env
from sandboxes.spec import DEFAULT_PORTS
from tests.support.lab_folder import LabFolder


@pytest.fixture(scope="session")
def runtime_image(docker_client: Any) -> str:
    """The lab runtime image (Debian bookworm's Python libraries), built offline if missing."""
    from sandboxes.images.builder import build_runtime_image

    return build_runtime_image(docker_client, say=lambda _message: None)


def import_script(folders: dict[str, list[str]], then: str = "") -> str:
    """Python that imports each folder's modules from /lab (fresh per folder), runs `then`
    while the last folder's modules are loaded, and prints the Flask and psycopg versions."""
    return textwrap.dedent(f"""
        import importlib, sys
        for folder, modules in {folders!r}.items():
            sys.path.insert(0, "/lab/" + folder)
            for name in modules:
                sys.modules.pop(name, None)
                importlib.import_module(name)
            sys.path.pop(0)
        """) + textwrap.dedent(then) + textwrap.dedent("""
        import flask, psycopg
        print("loaded on flask", flask.__version__, "psycopg", psycopg.__version__)
        """)


def sandbox_env(lab: LabFolder) -> dict[str, str]:
    """The app's variables from lab.toml as the Docker sandbox fills them: every service at
    its own name and default port."""
    specs = [service_spec(service, lab.path) for service in lab.spec.services]
    addresses = {spec.name: (spec, spec.name, DEFAULT_PORTS[spec.kind]) for spec in specs}
    return resolve_env(dict(lab.spec.app.env), addresses)


def expect_loads_on_runtime_image(docker_client: Any, image: str, lab: LabFolder,
                                  script: str) -> None:
    """`script` (from import_script) runs to the end with python3 on the image, without a
    network, the lab folder read-only at /lab, labs/stubkit.py importable (the sandbox puts
    it beside a stub) and the app's variables set."""
    output = docker_client.containers.run(
        image, ["python3", "-c", script], remove=True, network_mode="none",
        environment={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": "/stubkit",
                     **sandbox_env(lab)},
        volumes={str(lab.path): {"bind": "/lab", "mode": "ro"},
                 str(STUBKIT): {"bind": "/stubkit/stubkit.py", "mode": "ro"}})
    assert b"loaded on flask 2.2" in output, f"expected Flask 2.2 on the image, got {output!r}"
