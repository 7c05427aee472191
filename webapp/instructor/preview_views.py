"""/instructor/labs/<lab>/preview: run a lab's verify from the browser and watch its table
(which check caught which mutant, how long each grade took) fill in while a grading worker
runs it (webapp/grading/previews.py)."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, url_for

from labs.catalog import UnknownLab, get_lab
from labs.spec import Lab, LabSpecError
from labs.verify import MutantError
from webapp.auth.decorators import role_required
from webapp.db import get_session
from webapp.grading import previews
from webapp.grading.settings import labs_root
from webapp.instructor.views import bp
from webapp.models import INSTRUCTOR

POLL_MS = 500


def _lab(lab_id: str) -> Lab:
    try:
        return get_lab(lab_id, labs_root(current_app))
    except (UnknownLab, LabSpecError):
        abort(404, description=f"There is no lab {lab_id!r} that loads.")


def _state(lab: Lab) -> previews.PreviewState | None:
    session = get_session()
    preview = previews.latest(session, lab.id)
    return previews.state(session, preview) if preview is not None else None


def _page(lab: Lab, problem: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("instructor/preview.html", lab=lab, preview=_state(lab),
                           problem=problem, poll_ms=POLL_MS), status


@bp.get("/labs/<lab_id>/preview")
@role_required(INSTRUCTOR)
def preview(lab_id: str):  # type: ignore[no-untyped-def]
    return _page(_lab(lab_id))


@bp.post("/labs/<lab_id>/preview")
@role_required(INSTRUCTOR)
def start_preview(lab_id: str):  # type: ignore[no-untyped-def]
    lab = _lab(lab_id)
    try:
        previews.start(get_session(), current_app._get_current_object(),  # type: ignore[attr-defined]
                       lab, g.user)
    except previews.PreviewRunning as exc:
        return _page(lab, str(exc), 409)
    except (LabSpecError, MutantError) as exc:
        return _page(lab, f"The lab cannot be previewed: {exc}", 422)
    return redirect(url_for("instructor.preview", lab_id=lab.id), 303)


@bp.get("/labs/<lab_id>/preview/table")
@role_required(INSTRUCTOR)
def preview_table(lab_id: str):  # type: ignore[no-untyped-def]
    """The table as it stands (htmx polls it while the preview is queued or runs)."""
    lab = _lab(lab_id)
    state = _state(lab) or abort(404)
    return render_template("instructor/_preview_table.html", lab=lab, preview=state,
                           poll_ms=POLL_MS)
