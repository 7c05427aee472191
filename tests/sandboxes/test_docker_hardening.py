"""What the Docker backend forbids learner code, checked from inside the app container."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import docker.errors
import httpx
import pytest
from docker.models.containers import Container
from sandbox_helpers import get, probe_app

from sandboxes import FaultUnsupported, Limits, SandboxError, ServiceSpec, Topology
from sandboxes.docker.backend import DockerBackend, oom_logged
from sandboxes.docker.labels import DEADLINE, SESSION
from sandboxes.docker.network import shield_host
from sandboxes.docker.reaper import reap
from tests.support.leftovers import left_after_teardown
from tests.support.networks import gateway_of

pytestmark = pytest.mark.docker


@pytest.fixture
def backend(runtime_image):
    return DockerBackend(image=runtime_image)


@contextlib.contextmanager
def host_listener(address: str) -> Iterator[int]:
    """A host service on `address` (a Docker network's host side: where a service bound to
    every interface is reachable from containers); yields its port. Bound there only, so
    nothing beyond this machine's Docker networks can reach it."""
    with socket.create_server((address, 0)) as server:
        yield server.getsockname()[1]


def test_the_session_network_reaches_its_own_services_only(start, docker_client):
    session = start(probe_app(), ServiceSpec(name="cache", kind="redis"))
    docker0 = gateway_of(docker_client.networks.get("bridge"))
    gateway = gateway_of(session.network)
    assert get(session, "/connect", host="cache", port=6379) == "connected"
    with host_listener(docker0) as docker0_port, host_listener(gateway) as gateway_port:
        for host, port, what in [("1.1.1.1", 443, "an internet address"),
                                 (docker0, docker0_port, "the host's docker0 address"),
                                 (gateway, gateway_port, "the session gateway")]:
            answer = get(session, "/connect", host=host, port=port)
            assert answer.startswith("failed"), f"expected {what} to be unreachable, got {answer}"


def test_the_host_shield_refuses_a_bridge_outside_this_network_namespace():
    """A grader whose engine made the bridge elsewhere (a remote engine, a grader container
    off the host's network) would install a rule that drops nothing: it must say so."""
    with pytest.raises(SandboxError, match="not in this network namespace"):
        shield_host("alb-" + secrets.token_hex(5))


def test_runs_as_uid_10001_without_capabilities(start):
    session = start(probe_app())
    status = dict(line.split(":", 1) for line in get(session, "/proc-status").splitlines())
    assert status["Uid"].split()[0] == "10001", status["Uid"]
    assert int(status["CapEff"], 16) == 0, f"expected no capabilities, got {status['CapEff']}"
    assert status["NoNewPrivs"].strip() == "1"
    assert session.status("app").running


def test_root_fs_is_read_only_and_tmp_is_the_scratch_space(start):
    session = start(probe_app())
    assert get(session, "/write", path="/var/tmp/x", mb=1) == "failed: Read-only file system"
    assert get(session, "/write", path="/app/x", mb=1) == "failed: Permission denied"
    assert get(session, "/write", path="/tmp/x", mb=1) == "written"


def test_files_beyond_the_size_limit_fail(start):
    session = start(probe_app(limits=Limits(file_size_mb=2)))
    assert get(session, "/write", path="/tmp/big", mb=3) == "failed: File too large"


def test_a_memory_bomb_is_oom_killed(start):
    session = start(probe_app(limits=Limits(memory_mb=64)))
    with pytest.raises(httpx.TransportError):
        httpx.get(session.url("app") + "/memory", params={"mb": 300}, timeout=20)
    deadline = time.monotonic() + 10
    while session.status("app").running and time.monotonic() < deadline:
        time.sleep(0.1)
    status = session.status("app")
    assert status.oom_killed and not status.running, f"expected an OOM kill, got {status}"


def test_an_oom_kill_is_told_from_another_sigkill_by_the_engines_event_log(
        docker_client, runtime_image):
    """Docker 20.10 can lose State.OOMKilled under load; the "oom" event it logged stays."""
    def killed(command: list[str], kill: bool = False, **limits) -> Container:
        container = docker_client.containers.run(
            runtime_image, command, detach=True, network_mode="none", **limits)
        if kill:
            container.kill()
        container.wait(timeout=20)
        container.reload()
        assert container.attrs["State"]["ExitCode"] == 137
        return container

    bomb = killed(["python3", "-c", "b = bytearray(300 << 20); import time; time.sleep(9)"],
                  mem_limit="64m", memswap_limit="64m")
    sleeper = killed(["sleep", "30"], kill=True)
    try:
        assert oom_logged(docker_client, bomb, bomb.attrs["State"]["StartedAt"])
        assert not oom_logged(docker_client, sleeper, sleeper.attrs["State"]["StartedAt"])
    finally:
        bomb.remove(force=True)
        sleeper.remove(force=True)


def test_a_fork_bomb_hits_the_pids_limit(start):
    session = start(probe_app(limits=Limits(pids=16)))
    answer = get(session, "/fork", n=50)
    assert answer.startswith("failed after"), f"expected the pids limit to stop it: {answer}"
    assert int(answer.split()[2].rstrip(":")) < 16


def test_latency_slows_answers_until_removed(start):
    session = start(probe_app())
    try:
        session.add_latency("app", 400)
    except FaultUnsupported as exc:  # a kernel feature, not a service CI could install
        pytest.skip(str(exc))
    started = time.monotonic()
    get(session, "/healthz")
    assert time.monotonic() - started >= 0.4
    session.add_latency("app", 0)
    started = time.monotonic()
    get(session, "/healthz")
    assert time.monotonic() - started < 0.4


def test_cut_and_heal_take_a_service_off_the_network_and_back(start):
    session = start(probe_app(), ServiceSpec(name="cache", kind="redis"))
    address = session.endpoint("cache")[0]
    session.cut("cache")
    assert get(session, "/connect", host=address, port=6379).startswith("failed")
    session.heal("cache")
    assert get(session, "/connect", host="cache", port=6379) == "connected"


def test_the_deadline_removes_the_whole_session(backend, leftovers):
    session = backend.start(Topology([probe_app()]), session_id="deadline-check",
                            deadline_s=3)
    assert leftovers("deadline-check")
    assert left_after_teardown(leftovers, "deadline-check", within=3 + 30) == []
    assert session.expired, "something other than the deadline tore the session down"


def test_reap_removes_what_a_dead_grader_left_and_keeps_live_sessions(docker_client,
                                                                      runtime_image,
                                                                      leftovers):
    """Counted among this test's own objects (a lab label of this run): the engine may hold
    other sessions' expired sandboxes, which are not this test's count. Its deadlines lie an
    hour ahead and the reap judges them as of then, so no other run's janitor (they reap
    every expired sandbox on the engine) takes the dead session first."""
    run = secrets.token_hex(4)
    ours, as_of = {"archlab.lab": f"reap-{run}"}, time.time() + 3600
    dead, live, other = f"reap-dead-{run}", f"reap-live-{run}", f"reap-other-{run}"
    try:
        for session_id, deadline, lab in [(dead, as_of - 10, ours), (live, as_of + 3600, ours),
                                          (other, as_of - 10, {"archlab.lab": f"other-{run}"})]:
            labels = {SESSION: session_id, DEADLINE: str(int(deadline)), **lab}
            docker_client.containers.create(runtime_image, ["true"], labels=labels)
            docker_client.networks.create(f"archlab-{session_id}", internal=True,
                                          labels=labels)
        assert reap(docker_client, labels=ours, now=as_of) == {
            "containers": 1, "networks": 1, "volumes": 0, "images": 0}
        assert leftovers(dead) == []
        assert len(leftovers(live)) == 2, "reap removed a session within its deadline"
        assert len(leftovers(other)) == 2, "reap removed a session without its labels"
    finally:
        for session_id in (live, dead, other):
            reap(docker_client, session_id=session_id)
    assert leftovers(live) == leftovers(other) == []


def test_a_teardown_racing_a_janitor_for_the_same_session_leaves_nothing(start, docker_client,
                                                                          leftovers):
    """The janitor reaps a session it took back while its worker is still tearing it down:
    whichever removes a container first, the other must carry on, not stop half-way."""
    for round_ in range(3):
        session_id = f"race-{round_}-{time.monotonic_ns()}"
        session = start(probe_app(), ServiceSpec(name="cache", kind="redis"),
                        session_id=session_id)
        errors: list[Exception] = []

        def janitor_reap(session_id: str = session_id, errors: list = errors) -> None:
            try:
                reap(docker_client, session_id=session_id)
            except Exception as exc:  # the janitor's reap must carry on, not raise
                errors.append(exc)

        janitor = threading.Thread(target=janitor_reap)
        janitor.start()
        session.close()
        janitor.join()
        assert errors == []
        assert leftovers(session_id) == []


def test_an_anchor_lost_by_the_engine_at_start_is_replaced_once(start, monkeypatch):
    """containerd under load sometimes answers a start with "cannot start a stopped process";
    the session starts anyway on a fresh anchor, and an error of any other kind still fails."""
    original = Container.start
    refused: list[str] = []

    def flaky_start(self, *args, **kwargs):
        if self.name.endswith("-anchor") and not refused:
            refused.append(self.name)
            raise docker.errors.APIError("500 Server Error: Internal Server Error "
                                         '("cannot start a stopped process: unknown")')
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Container, "start", flaky_start)
    session = start(probe_app())
    assert refused, "the engine's refusal was never simulated"
    assert session.status("app").running
    get(session, "/healthz")
