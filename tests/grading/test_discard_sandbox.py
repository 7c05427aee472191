"""A dead attempt's Docker sandbox is found by its session id and its lab: another site on
the same engine numbers its submissions from 1 too, and its `sub7-a1` is not ours."""

from __future__ import annotations

import contextlib
import uuid

import docker
import pytest

from sandboxes.docker.labels import SESSION
from webapp.grading.leftovers import LAB_LABEL, discard_sandbox


@pytest.mark.docker
def test_discarding_a_docker_sandbox_leaves_another_labs_session_of_the_same_id(
        make_app, docker_client) -> None:
    session_id = f"sub{uuid.uuid4().hex[:8]}-a1"
    ours, theirs = (docker_client.networks.create(
        f"archlab-test-{session_id}-{lab}", labels={SESSION: session_id, LAB_LABEL: lab})
        for lab in ("ours-lab", "their-lab"))
    try:
        removed = discard_sandbox(make_app(ARCHLAB_SANDBOX="docker"), session_id, "ours-lab")
        names = {net.name for net in docker_client.networks.list(
            filters={"label": f"{SESSION}={session_id}"})}
    finally:
        for network in (ours, theirs):
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()
    assert removed == 1
    assert names == {theirs.name}
