"""The Session contract, pinned against every backend (parametrized in conftest)."""

from __future__ import annotations

import json
import time

import httpx
import psycopg
import pytest
import redis
from sandbox_helpers import get, probe_app

from sandboxes import Readiness, ServiceNotReady, ServiceSpec


def test_app_gets_its_port_and_env_templates_resolved_from_inside(start, monkeypatch):
    monkeypatch.setenv("ARCHLAB_HOST_SECRET", "must-not-leak")
    session = start(
        probe_app(env={"REDIS_URL": "${cache.url}", "CACHE_HOST": "${cache.host}",
                       "CACHE_PORT": "${cache.port}", "PLAIN": "as is"}),
        ServiceSpec(name="cache", kind="redis"))
    env = json.loads(get(session, "/env"))
    assert env["PLAIN"] == "as is"
    assert env["REDIS_URL"] == f"redis://{env['CACHE_HOST']}:{env['CACHE_PORT']}/0", env
    assert "ARCHLAB_HOST_SECRET" not in env, "the host's environment leaked into the app"
    assert env["PORT"].isdigit(), f"expected PORT to be a number, got {env.get('PORT')!r}"


def test_redis_is_shared_by_the_app_inside_and_the_grader_outside(start):
    session = start(probe_app(env={"REDIS_URL": "${cache.url}"}),
                    ServiceSpec(name="cache", kind="redis"))
    assert get(session, "/redis", key="visits") == ":1"
    assert get(session, "/redis", key="visits") == ":2"
    client = redis.Redis.from_url(session.url("cache"))
    assert client.get("visits") == b"2", "the grader does not see what the app wrote"
    client.close()


def test_postgres_answers_the_app_and_the_lab_role_owns_the_lab_database(start):
    session = start(probe_app(env={"DB_HOST": "${db.host}", "DB_PORT": "${db.port}"}),
                    ServiceSpec(name="db", kind="postgres"))
    assert get(session, "/postgres") in ("N", "S"), "expected PostgreSQL's SSLRequest answer"
    assert session.url("db").startswith("postgresql://lab:lab@")
    with psycopg.connect(session.url("db"), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int)")
        owner = conn.execute("SELECT current_user, pg_catalog.pg_get_userbyid(datdba) "
                             "FROM pg_database WHERE datname = current_database()").fetchone()
    assert owner == ("lab", "lab")
    assert session.endpoint("db")[1] == int(session.url("db").rsplit(":", 1)[1].split("/")[0])


def test_logs_hold_what_the_app_printed(start):
    session = start(probe_app())
    get(session, "/healthz")
    assert "probe app listening" in session.logs("app", lines=50)
    assert len(session.logs("app", lines=1).splitlines()) == 1


def test_stop_and_start_bring_the_app_down_and_back(start):
    session = start(probe_app())
    session.stop("app")
    status = session.status("app")
    assert not status.running, f"expected a stopped app, got {status}"
    with pytest.raises(httpx.TransportError):
        httpx.get(session.url("app") + "/healthz", timeout=2)
    session.start("app")
    session.wait_ready("app")
    assert get(session, "/healthz") == "ok"


def test_stop_waits_its_timeout_for_an_app_that_ignores_sigterm_then_kills_it(start):
    session = start(probe_app())
    assert get(session, "/ignore-sigterm") == "ignoring"
    began = time.monotonic()
    session.stop("app", timeout=2)
    waited = time.monotonic() - began
    assert 1.9 <= waited < 8, f"expected stop to wait the 2 s timeout, it took {waited:.1f}s"
    assert session.status("app").exit_code == 137


def test_reconfigure_restarts_the_app_with_more_environment(start):
    session = start(probe_app(env={"PLAIN": "before", "KEPT": "yes"}))
    session.reconfigure("app", {"PLAIN": "after", "ADDED": "new"})
    env = json.loads(get(session, "/env"))
    assert (env["PLAIN"], env["KEPT"], env["ADDED"]) == ("after", "yes", "new")
    assert session.status("app").running


@pytest.mark.parametrize("fault", ["stop", "kill"])
def test_a_stopped_services_name_refuses_connections_at_once(start, fault):
    """Clients inside the sandbox find a stopped service refusing connections at once, by
    the address its env URL names: no DNS wait (Docker's DNS takes ~10 s to give up on a
    stopped container's name), no connect timeout needed. Back when it starts again."""
    session = start(probe_app(env={"CACHE_HOST": "${cache.host}", "CACHE_PORT": "${cache.port}"}),
                    ServiceSpec(name="cache", kind="redis"))
    env = json.loads(get(session, "/env"))
    host, port = env["CACHE_HOST"], env["CACHE_PORT"]
    assert get(session, "/connect", host=host, port=port) == "connected"
    getattr(session, fault)("cache")
    for attempt in ("first", "second"):
        started = time.monotonic()
        answer = get(session, "/connect", host=host, port=port)
        took = time.monotonic() - started
        assert answer == "failed: ConnectionRefusedError", f"{attempt} try: got {answer}"
        # at once: well under the probe's 3 s connect timeout and Docker's ~10 s DNS give-up;
        # the time also holds our request to the app and its answer, slower on a busy machine
        assert took < 1.5, f"{attempt} try: refused only after {took:.2f}s"
    session.start("cache")
    session.wait_ready("cache")
    assert get(session, "/connect", host=host, port=port) == "connected"


def test_kill_reports_exit_code_137(start):
    session = start(probe_app())
    session.kill("app")
    status = session.status("app")
    assert (status.running, status.exit_code) == (False, 137), f"got {status}"


def test_restart_keeps_the_learner_files(start):
    session = start(probe_app())
    session.restart("app")
    session.wait_ready("app")
    assert get(session, "/healthz") == "ok"


def test_pause_freezes_the_app_until_unpause(start):
    session = start(probe_app())
    session.pause("app")
    assert session.status("app").paused
    with pytest.raises(httpx.TimeoutException):
        httpx.get(session.url("app") + "/healthz", timeout=1)
    session.unpause("app")
    assert get(session, "/healthz") == "ok"


@pytest.mark.parametrize("command", [
    ["python3", "-c", "print('boom: no app here'); exit(3)"],
    # gone before the sandbox can even read its address: still the learner's crash
    ["sh", "-c", "echo 'boom: no app here'; exit 3"],
], ids=["python", "instant"])
def test_an_app_that_exits_is_not_ready_with_its_log_tail(start, command):
    crashing = probe_app(command=command)
    with pytest.raises(ServiceNotReady) as caught:
        start(crashing)
    assert caught.value.name == "app"
    assert caught.value.exit_code == 3, f"expected exit code 3, got {caught.value.exit_code}"
    assert "boom: no app here" in caught.value.log_tail


def test_an_app_that_never_answers_is_not_ready_after_its_timeout(start):
    silent = probe_app(command=["python3", "-c", "import time; print('thinking'); "
                                "time.sleep(60)"], ready=Readiness(http="/", timeout=1.5))
    started = time.monotonic()
    with pytest.raises(ServiceNotReady) as caught:
        start(silent)
    assert time.monotonic() - started < 15
    assert caught.value.exit_code is None
    assert "within 1.5s" in caught.value.reason


def test_close_is_idempotent_and_leaves_nothing(backend, leftovers):
    from sandboxes import Topology

    session = backend.start(Topology([probe_app(), ServiceSpec(name="cache", kind="redis")]),
                            session_id="teardown-check", deadline_s=60)
    assert leftovers("teardown-check"), "expected the running session to be visible"
    session.close()
    session.close()
    assert leftovers("teardown-check") == [], "teardown left things behind"


@pytest.mark.parametrize("deadline_s", [0.1, 0.4, 0.8, 1.2])
def test_a_deadline_that_passes_during_start_leaves_nothing(backend, leftovers, deadline_s):
    """The watchdog tears down from its own thread while start() is still creating services:
    start() must fail on the deadline (not blame a service it killed), and leave nothing."""
    from sandboxes import SandboxError, Topology

    session_id = f"early-deadline-{int(deadline_s * 10)}"
    topology = Topology([ServiceSpec(name="db", kind="postgres"),
                         ServiceSpec(name="cache", kind="redis"), probe_app()])
    try:
        session = backend.start(topology, session_id=session_id, deadline_s=deadline_s)
    except SandboxError as exc:
        assert "deadline" in str(exc), f"expected the deadline to be named, got {exc}"
    else:
        session.close()  # this machine started it in time; closing must still leave nothing
    time.sleep(1)  # nothing may come back to life after start() gave up
    assert leftovers(session_id) == [], "a session that expired while starting left things"


def probe_worker(**changes: object) -> ServiceSpec:
    """The probe folder's worker.py as a second program of the learner's, on no port."""
    fields: dict = {"name": "worker", "command": ["python3", "worker.py"],
                    "env": {"REDIS_URL": "${cache.url}"},
                    "ready": Readiness(tcp=False, timeout=1)}
    return probe_app(**{**fields, **changes})


def beats(client: redis.Redis, after: float = 0.5) -> int:
    """How far the worker's counter moved in `after` seconds."""
    before = int(client.get("worker-beats") or 0)
    time.sleep(after)
    return int(client.get("worker-beats") or 0) - before


def test_a_second_learner_program_runs_beside_the_app_on_no_port(start, monkeypatch):
    monkeypatch.setenv("ARCHLAB_HOST_SECRET", "must-not-leak")
    session = start(probe_app(), probe_worker(), ServiceSpec(name="cache", kind="redis"))
    client = redis.Redis.from_url(session.url("cache"))
    identity = json.loads(client.get("worker-identity"))
    app_uid = next(line.split()[1] for line in get(session, "/proc-status").splitlines()
                   if line.startswith("Uid:"))
    assert (identity["uid"] == 0) == (int(app_uid) == 0), \
        "the worker must run with the app's privileges (each may have a uid of its own)"
    assert {"app.py", "worker.py"} <= set(identity["files"]), identity["files"]
    assert "ARCHLAB_HOST_SECRET" not in identity["env"]
    assert beats(client) > 0
    waited = time.monotonic()
    session.wait_ready("worker")
    # at once: a wait that started its 1 s over would take 1 s; the rest is the engine's answer
    # to a status call, which a busy machine can make take most of half a second
    assert time.monotonic() - waited < 1.0, "a worker up for long enough is ready at once"
    assert session.status("worker").uptime_s >= 1
    session.kill("worker")
    assert (session.status("worker").running, session.status("worker").exit_code) == (False, 137)
    assert beats(client) == 0 and get(session, "/healthz") == "ok"
    session.start("worker")
    session.wait_ready("worker")
    assert beats(client) > 0
    client.close()


def test_a_program_on_no_port_that_exits_at_start_is_not_ready(start):
    crashing = probe_worker(command=["python3", "-c", "print('no worker here'); exit(4)"])
    with pytest.raises(ServiceNotReady) as caught:
        start(ServiceSpec(name="cache", kind="redis"), crashing)
    assert (caught.value.name, caught.value.exit_code) == ("worker", 4)
    assert "no worker here" in caught.value.log_tail


def test_http_readiness_needs_a_port() -> None:
    with pytest.raises(ValueError, match="needs a port"):
        Readiness(http="/healthz", tcp=False)


STUB_SERVER = """
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from greeting import TEXT

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(TEXT.encode())

HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
"""


def test_a_services_files_land_in_its_working_directory_over_its_source(start, tmp_path):
    source, shared = tmp_path / "lab", tmp_path / "shared.py"
    (source / "services").mkdir(parents=True)
    (source / "services" / "serve.py").write_text(STUB_SERVER)
    (source / "services" / "greeting.py").write_text("TEXT = 'from the source'\n")
    shared.write_text("TEXT = 'from the shared file'\n")
    session = start(probe_app(), ServiceSpec(
        name="stub", kind="process", command=["python3", "services/serve.py"], source=source,
        files={"services/greeting.py": shared}, ready=Readiness(http="/", timeout=20)))
    assert httpx.get(session.url("stub") + "/", timeout=10).text == "from the shared file"
    assert (source / "services" / "greeting.py").read_text() == "TEXT = 'from the source'\n"


def test_files_need_a_source_and_stay_inside_the_working_directory(tmp_path) -> None:
    with pytest.raises(ValueError, match="has none"):
        ServiceSpec(name="s", kind="redis", files={"x.py": tmp_path / "x.py"})
    with pytest.raises(ValueError, match="inside its working directory"):
        ServiceSpec(name="s", kind="process", command=["python3", "x.py"], source=tmp_path,
                    files={"../x.py": tmp_path / "x.py"})
