"""Run sessions on the real process sandbox: start the draft, poke it through the console, read
its log, stop it; one live session per learner; idle sessions are reaped."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from tests.grading.grading_helpers import logged_in
from tests.workspace.workspace_helpers import Workspace
from webapp.db import get_session
from webapp.models import RunSession
from webapp.workspace import console
from webapp.workspace.runs import registry

pytestmark = pytest.mark.slow


def run_rows(app: Flask) -> list[RunSession]:
    with app.app_context():
        return list(get_session().query(RunSession).order_by(RunSession.id))


def test_run_console_log_and_stop(app: Flask, toy: Workspace) -> None:
    started = toy.run()
    assert started.status_code == 200, started.get_data(as_text=True)
    state = started.get_json()
    assert state["state"] == "running" and state["backend"] == "process"
    assert 590 <= state["expires_in"] <= 600

    answer = toy.send("GET", "/healthz", headers="X-Trace: 42").get_json()
    assert (answer["status"], answer["body"]) == (200, '{"ok": true}')
    assert ["Content-Type", "application/json"] in answer["headers"]
    missing = toy.send("POST", "/items", body='{"name": "pen"}').get_json()
    assert missing["status"] == 501

    lines = ('"GET /healthz HTTP/1.1" 200', '"POST /items HTTP/1.1" 501')
    log = toy.log_showing(*lines)
    assert all(line in log for line in lines), f"expected {lines} in the log, got {log!r}"

    assert toy.stop().get_json() == {"state": "stopped", "reason": "you stopped it"}
    assert toy.status() == {"state": "stopped", "reason": "you stopped it"}
    refused = toy.send()
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "Nothing is running: press Run first."
    [row] = run_rows(app)
    assert (row.lab_id, row.backend, row.end_reason) == ("toy-items", "process", "you stopped it")


def test_run_starts_the_saved_draft(toy: Workspace) -> None:
    toy.save("app.py", toy.files()["app.py"].replace('{"ok": True}', '{"ok": "edited"}'))
    assert toy.run().status_code == 200
    assert toy.send().get_json()["body"] == '{"ok": "edited"}'


def test_a_draft_that_does_not_start_answers_with_its_log(app: Flask, toy: Workspace) -> None:
    toy.save("app.py", "import os\nraise SystemExit('no database configured')\n")
    response = toy.run()
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"].startswith("Your app did not start: service 'app' did not become ready")
    assert "no database configured" in body["log"]
    assert toy.status()["state"] == "stopped"
    assert run_rows(app)[0].end_reason == "did not start: ServiceNotReady"


def test_a_lab_with_a_worker_runs_both_programs_and_names_the_one_that_died(
        queue: Workspace) -> None:
    # up for 4 s: past the 1 s a worker must run to be ready, however slowly the engine answers
    # the readiness wait on a busy machine (up 1.5 s, it could die before the wait saw 1 s)
    crashing = "import time\nprint('worker up', flush=True)\ntime.sleep(4)\nraise SystemExit(3)\n"
    queue.save("worker.py", crashing)
    assert queue.run().status_code == 200
    assert queue.send().get_json()["status"] == 200, "the API of the draft answers"
    log = queue.log_showing("--- app ---", "--- worker ---\nworker up")
    assert "--- worker ---\nworker up" in log, log
    deadline = time.monotonic() + 30
    while queue.status().get("problem") is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue.status()["problem"] == 'the service "worker" crashed (exit code 3)'


def test_one_live_session_per_learner(app: Flask, toy: Workspace) -> None:
    assert toy.run().status_code == 200
    runs = registry(app)
    first = runs.get(toy.user_id())
    assert toy.run().status_code == 200
    assert first is not None and first.session.closed, "expected the first session to be stopped"
    assert toy.send().get_json()["status"] == 200

    other = Workspace(logged_in(app, "bob@example.org"), "toy-items")
    assert other.send().status_code == 409, "a learner cannot reach another learner's session"
    assert other.run().status_code == 200
    assert len(runs.runs) == 2
    assert [row.end_reason for row in run_rows(app)] == ["replaced by a new run", None, None]


def test_runs_past_the_sites_cap_are_refused_until_a_slot_frees(make_app) -> None:
    app = make_app(WORKSPACE_MAX_RUNS=1)
    ada = Workspace(logged_in(app, "ada@example.org"), "toy-items")
    bob = Workspace(logged_in(app, "bob@example.org"), "toy-items")
    assert ada.run().status_code == 200
    assert ada.run().status_code == 200, "replacing one's own run needs no second slot"
    refused = bob.run()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"].startswith("all 1 Run slots of this site are in use")
    assert len(registry(app).runs) == 1 and registry(app).starting == 0
    ada.stop()
    assert bob.run().status_code == 200


def test_console_refuses_paths_that_leave_the_app(toy: Workspace) -> None:
    assert toy.run().status_code == 200
    for path in ("http://example.org/", "//example.org/x", "healthz", "/a b"):
        response = toy.send("GET", path)
        assert response.status_code == 400, f"expected 400 for {path!r}"
        assert "path must start with a single /" in response.get_json()["error"]
    bad_header = toy.send(headers="no colon here")
    assert bad_header.get_json()["error"].startswith("header line 1 should look like")
    assert toy.send(method="TRACE").status_code == 400


def test_a_session_for_another_lab_is_not_this_labs(app: Flask, toy: Workspace,
                                                     learner) -> None:
    assert toy.run().status_code == 200
    rest = Workspace(learner, "rest-api")
    assert rest.status()["state"] == "stopped"
    refused = rest.send()
    assert refused.status_code == 409 and "Toy items" in refused.get_json()["error"]


def test_idle_sessions_are_reaped_and_console_use_keeps_them(make_app) -> None:
    app = make_app(WORKSPACE_IDLE_S=3)
    toy = Workspace(logged_in(app, "ada@example.org"), "toy-items")
    assert toy.run().status_code == 200
    session = registry(app).get(toy.user_id()).session
    for _ in range(5):  # 4 s of use keeps it alive past its 3 s idle timeout
        time.sleep(0.8)
        assert toy.send().get_json()["status"] == 200
    deadline = time.monotonic() + 10
    while not session.closed and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session.closed, "expected the reaper to stop the idle session"
    state = toy.status()
    assert state == {"state": "stopped", "reason": "it was idle for 3 seconds"}


def test_run_lifetimes_come_from_the_environment_unless_configured(
        make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSPACE_IDLE_S", "42")
    monkeypatch.setenv("WORKSPACE_MAX_S", "900")
    runs = registry(make_app(WORKSPACE_MAX_S=120))
    assert (runs.idle_s, runs.max_s) == (42.0, 120.0)


def test_shutdown_closes_every_session(app: Flask, toy: Workspace) -> None:
    assert toy.run().status_code == 200
    session = registry(app).get(toy.user_id()).session
    registry(app).close_all()
    assert session.closed
    assert run_rows(app)[-1].end_reason == "the server shut down"


ODD_APP = '''import os, time
from wsgiref.simple_server import make_server


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/slow":
        time.sleep(3)
    body = b"x" * (1024 * 1024) if path == "/big" else b"ok"
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]


make_server("127.0.0.1", int(os.environ["PORT"]), app).serve_forever()
'''


def test_console_caps_the_answer_and_gives_up_on_a_slow_app(
        toy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    toy.save("app.py", ODD_APP)
    assert toy.run().status_code == 200
    big = toy.send("GET", "/big").get_json()
    assert big["truncated"] is True and len(big["body"]) == console.MAX_RESPONSE_BODY
    monkeypatch.setattr(console, "TIMEOUT_S", 1.0)
    assert toy.send("GET", "/slow").get_json() == {"error": "no answer within 1 s"}


def test_run_refuses_the_process_sandbox_without_the_operators_opt_in(
        toy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHLAB_ALLOW_PROCESS_SANDBOX")
    response = toy.run()
    assert response.status_code == 503
    assert "ARCHLAB_ALLOW_PROCESS_SANDBOX=1" in response.get_json()["error"]
    assert toy.status()["state"] == "stopped"


def test_a_lab_that_needs_docker_does_not_run_on_the_process_sandbox_and_says_why(
        app: Flask, ship: Workspace) -> None:
    response = ship.run()
    assert response.status_code == 503
    assert response.get_json()["error"] == (
        "This lab cannot run on this site: this lab runs only on the Docker sandbox, which "
        "builds the submission's Dockerfile; this site runs the process sandbox.")
    assert ship.status()["state"] == "stopped"
    assert run_rows(app) == [], "a Run that cannot start was recorded"
