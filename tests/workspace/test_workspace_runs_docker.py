"""Run sessions of the REST lab on the Docker backend: the starter's bug is visible through the
console, the fixed draft answers correctly, and Stop removes the session's containers."""

from __future__ import annotations

import json

import pytest

from tests.grading.grading_helpers import logged_in
from tests.workspace.workspace_helpers import Workspace
from webapp.workspace.runs import registry

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CREATE = ("POST", "/api/v1/users", "", json.dumps({"name": "Ada", "email": "ada@example.org"}))
STARTER_BUG = "    return jsonify(user)\n"
FIXED = "    return jsonify(user), 201\n"


def session_containers(docker_client, session_id: str) -> list:  # type: ignore[no-untyped-def]
    return docker_client.containers.list(all=True,
                                         filters={"label": f"archlab.session={session_id}"},
                                         ignore_removed=True)


def test_rest_lab_runs_on_docker_and_stop_removes_it(make_app, docker_client) -> None:
    app = make_app(ARCHLAB_SANDBOX="docker")
    rest = Workspace(logged_in(app, "ada@example.org"), "rest-api")
    started = rest.run()
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.get_json()["backend"] == "docker"
    created = rest.send(*CREATE).get_json()
    assert created["status"] == 200, f"expected the starter's bug (200), got {created}"

    app_py = rest.files()["app.py"]
    assert STARTER_BUG in app_py
    rest.save("app.py", app_py.replace(STARTER_BUG, FIXED))
    assert rest.run().status_code == 200
    session_id = registry(app).get(rest.user_id()).session.session_id
    assert session_containers(docker_client, session_id), "expected the session's containers"
    fixed = rest.send(*CREATE).get_json()
    assert fixed["status"] == 201, f"expected 201 from the fixed draft, got {fixed}"
    assert json.loads(fixed["body"])["email"] == "ada@example.org"
    assert "POST /api/v1/users" in rest.log_showing("POST /api/v1/users")

    assert rest.stop().status_code == 200
    assert session_containers(docker_client, session_id) == []
