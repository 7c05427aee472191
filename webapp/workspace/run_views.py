"""Run, watch, poke and stop the learner's draft (JSON endpoints the workspace page polls)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from labs.learner_code import first_crash, learner_logs
from sandboxes import BackendUnsupported, SandboxError, ServiceNotReady
from webapp.auth.decorators import login_required
from webapp.db import get_session
from webapp.workspace import console, drafts
from webapp.workspace.logtext import plain
from webapp.workspace.lookup import lab_or_404
from webapp.workspace.runs import LiveRun, RunsFull, registry

bp = Blueprint("run", __name__)
LOG_LINES = 200


def _run_for(lab_id: str) -> tuple[LiveRun | None, Response | None]:
    """The learner's live run of this lab, or the JSON answer saying why there is none."""
    run = registry(current_app).get(g.user.id)
    if run is None:
        return None, _answer(409, error="Nothing is running: press Run first.")
    if run.lab.id != lab_id:
        return None, _answer(409, error=f"Your running session is for the lab "
                                        f"{run.lab.title!r}; press Run here to replace it.")
    return run, None


def _answer(status: int, **body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _state(run: LiveRun) -> dict[str, Any]:
    try:
        log = learner_logs(run.session, run.lab, LOG_LINES)
        down = first_crash(run.session, run.lab)
        crashed = down.message if down is not None else None
    except SandboxError as exc:
        log, crashed = "", f"the sandbox is gone ({exc})"
    return {"state": "running", "lab_id": run.lab.id, "expires_in": round(run.expires_in()),
            "idle_s": run.idle_s, "backend": run.session.backend_name, "log": plain(log),
            "problem": crashed}


@bp.post("/labs/<lab_id>/run")
@login_required
def start(lab_id: str):  # type: ignore[no-untyped-def]
    """Start the saved draft; answers once the app is ready (or with why it is not)."""
    lab = lab_or_404(lab_id)
    files = drafts.load(get_session(), g.user, lab)
    get_session().close()  # no connection held while the sandbox starts
    try:
        run = registry(current_app).start(g.user.id, lab, files)
    except RunsFull as exc:
        busy = _answer(503, error=f"{exc}: try again in a minute (grading still works).")
        busy.headers["Retry-After"] = "60"
        return busy
    except ServiceNotReady as exc:
        return _answer(422, error=f"Your app did not start: {exc}",
                       log=plain(exc.log_tail or ""))
    except BackendUnsupported as exc:
        return _answer(503, error=f"This lab cannot run on this site: {exc}.")
    except SandboxError as exc:
        current_app.logger.warning("run of %s for user %s failed: %s", lab.id, g.user.id, exc)
        return _answer(503, error=f"The sandbox could not start ({exc}). Try again later.")
    return jsonify(_state(run))


@bp.get("/labs/<lab_id>/run")
@login_required
def status(lab_id: str):  # type: ignore[no-untyped-def]
    """What the page shows: running (countdown, log) or stopped (and why)."""
    lab_or_404(lab_id)
    runs = registry(current_app)
    run = runs.get(g.user.id)
    if run is None or run.lab.id != lab_id:
        return jsonify(state="stopped", reason=runs.ended.get(g.user.id, ""))
    return jsonify(_state(run))


@bp.post("/labs/<lab_id>/run/request")
@login_required
def send_request(lab_id: str):  # type: ignore[no-untyped-def]
    """Send the console's request to the learner's own app; refreshes the idle timeout."""
    run, refusal = _run_for(lab_id)
    if run is None:
        return refusal
    try:
        outgoing = console.parse(request.get_json(silent=True) or {})
        run.touch()
        return jsonify(console.send(run.session.url("app"), outgoing))
    except console.BadRequest as exc:
        return _answer(400, error=str(exc))
    except SandboxError as exc:
        return _answer(409, error=f"the session ended ({exc})")


@bp.post("/labs/<lab_id>/run/stop")
@login_required
def stop(lab_id: str):  # type: ignore[no-untyped-def]
    lab_or_404(lab_id)
    registry(current_app).stop(g.user.id, "you stopped it")
    return jsonify(state="stopped", reason="you stopped it")
