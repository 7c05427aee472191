"""The lab page and its draft endpoints (JSON for the editor), upload, download and Grade.

The blueprint is called "labs" because the course pages link to a chapter's lab as
`labs.lab` (webapp/course/lablinks.py). Run endpoints live in `run_views`, nested here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session

from labs.spec import Lab
from webapp.auth.decorators import login_required
from webapp.classes.closing import GradingClosed, closed
from webapp.classes.cohorts import cohorts_of, due_for
from webapp.db import get_session
from webapp.errors import wants_json
from webapp.grading import service
from webapp.grading.archive import BadFiles, unpack
from webapp.grading.counting import counts_for
from webapp.grading.live import live_state
from webapp.models import utcnow
from webapp.workspace import drafts
from webapp.workspace.archive import MAX_UPLOAD_BYTES, UploadRejected, read_upload, zip_of
from webapp.workspace.lookup import instructions_html, lab_or_404
from webapp.workspace.run_views import bp as run_bp
from webapp.workspace.terminal_views import bp as terminal_bp

bp = Blueprint("labs", __name__)
bp.register_blueprint(run_bp)
bp.register_blueprint(terminal_bp)


def _files_json(files: dict[str, bytes], **extra: Any) -> Response:
    """The draft's files and their versions (what a save names as the one it changed)."""
    return jsonify(files={path: files[path].decode("utf-8", errors="replace")
                          for path in sorted(files)},
                   versions={path: drafts.version(files[path]) for path in sorted(files)},
                   **extra)


def _rejected(message: str) -> tuple[Response, int]:
    return jsonify(error=message), 400


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        abort(400, description=f"expected {key!r} as a string")
    try:
        value.encode()
    except UnicodeEncodeError:  # JSON may carry a lone surrogate, which is not text
        abort(400, description=f"expected {key!r} as text, it has a lone surrogate")
    return value


@bp.get("/labs/<lab_id>")
@login_required
def lab(lab_id: str):  # type: ignore[no-untyped-def]
    """The workspace; beside the editor, the learner's last grade (open right after Grade)."""
    return _lab_page(lab_or_404(lab_id))


def _lab_page(lab: Lab, refused: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    """The workspace page; `refused` says why the Grade just pressed took nothing."""
    session = get_session()
    submission = service.latest(session, g.user, lab.id)
    result = live_state(submission, after=-1) if submission is not None else {}
    just_graded = submission is not None and (
        request.args.get("graded", type=int) == submission.id or submission.in_flight)
    cohorts = cohorts_of(session, g.user)
    dues = due_for(session, g.user, lab.id, cohorts)
    return render_template("workspace/lab.html", lab=lab, instructions=instructions_html(lab),
                           max_upload_kib=MAX_UPLOAD_BYTES // 1024, submission=submission,
                           result_open=just_graded and not refused, dues=dues,
                           counts=counts_for(session, g.user, [lab.id], cohorts)[lab.id],
                           best=service.best_scores(session, g.user.id, lab.id).get(
                               (g.user.id, lab.id)),
                           grading_closed=closed(dues, utcnow()), refused=refused,
                           **result), status


@bp.get("/labs/<lab_id>/draft")
@login_required
def draft(lab_id: str):  # type: ignore[no-untyped-def]
    return _files_json(drafts.load(get_session(), g.user, lab_or_404(lab_id)))


def _change(lab_id: str, apply: Callable[[Session, Lab], None]) -> Any:
    """Apply one change to the draft; the new file set, or 400 with the reason."""
    lab: Lab = lab_or_404(lab_id)
    session = get_session()
    try:
        apply(session, lab)
    except BadFiles as exc:
        session.rollback()
        return _rejected(str(exc))
    return _files_json(drafts.load(session, g.user, lab))


@bp.post("/labs/<lab_id>/draft/file")
@login_required
def save_file(lab_id: str):  # type: ignore[no-untyped-def]
    """Save one file. The editor sends `base`, the version of the file it changed: when the
    draft holds another (another tab or window saved it since), 409 and nothing is saved."""
    body = _json_body()
    path, content = _text(body, "path"), _text(body, "content").encode()
    base = _text(body, "base") if "base" in body else None
    try:
        return _change(lab_id, lambda session, lab: drafts.write_file(
            session, g.user, lab, path, content, base))
    except drafts.StaleFile:
        get_session().rollback()
        response = _files_json(drafts.load(get_session(), g.user, lab_or_404(lab_id)), error=(
            f"Not saved: {path} was changed in another tab or window since this page loaded "
            "it. Reload the page to see that version, or save this page's version over it."))
        response.status_code = 409
        return response


@bp.post("/labs/<lab_id>/draft/delete")
@login_required
def delete_file(lab_id: str):  # type: ignore[no-untyped-def]
    path = _text(_json_body(), "path")
    return _change(lab_id, lambda session, lab: drafts.delete_file(session, g.user, lab, path))


@bp.post("/labs/<lab_id>/draft/rename")
@login_required
def rename_file(lab_id: str):  # type: ignore[no-untyped-def]
    body = _json_body()
    path, new_path = _text(body, "path"), _text(body, "to")
    return _change(lab_id, lambda session, lab: drafts.rename_file(
        session, g.user, lab, path, new_path))


@bp.post("/labs/<lab_id>/draft/reset")
@login_required
def reset(lab_id: str):  # type: ignore[no-untyped-def]
    return _files_json(drafts.reset(get_session(), g.user, lab_or_404(lab_id)))


@bp.post("/labs/<lab_id>/draft/upload")
@login_required
def upload(lab_id: str):  # type: ignore[no-untyped-def]
    """Replace the draft with the files of an uploaded zip or tar."""
    lab = lab_or_404(lab_id)
    archive = request.files.get("archive")
    if archive is None:
        return _rejected("choose a .zip or .tar.gz file to upload")
    data = archive.stream.read(MAX_UPLOAD_BYTES + 1)
    try:
        files = read_upload(data)
    except UploadRejected as exc:
        return _rejected(f"Upload rejected: {exc}")
    return _change(lab_id, lambda session, _lab: drafts.store(session, g.user, lab, files))


@bp.post("/labs/<lab_id>/draft/restore/<int:submission_id>")
@login_required
def restore(lab_id: str, submission_id: int):  # type: ignore[no-untyped-def]
    """Replace the draft with the files of one of the learner's own submissions of this lab
    (the page asks first)."""
    lab = lab_or_404(lab_id)
    session = get_session()
    submission = service.visible_submission(session, g.user, submission_id)
    if submission is None or submission.user_id != g.user.id or submission.lab_id != lab.id:
        abort(404)
    try:
        drafts.store(session, g.user, lab, unpack(submission.files))
    except BadFiles as exc:
        session.rollback()
        abort(400, description=f"Submission #{submission.id} cannot be restored: {exc}.")
    flash(f"Your draft now holds the files of submission #{submission.id}.")
    return redirect(url_for("labs.lab", lab_id=lab.id), 303)


@bp.get("/labs/<lab_id>/draft.zip")
@login_required
def download(lab_id: str):  # type: ignore[no-untyped-def]
    lab = lab_or_404(lab_id)
    data = zip_of(drafts.load(get_session(), g.user, lab))
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{lab.id}-draft.zip"'})


@bp.post("/labs/<lab_id>/grade")
@login_required
def grade(lab_id: str):  # type: ignore[no-untyped-def]
    """Submit the saved draft for grading; its result shows live beside the editor."""
    lab = lab_or_404(lab_id)
    session = get_session()
    try:
        submission = service.submit(session, g.user, lab.id, drafts.load(session, g.user, lab))
    except GradingClosed as exc:  # the draft was saved before the form was sent: kept
        if wants_json():
            abort(403, description=str(exc))
        return _lab_page(lab, refused=str(exc), status=403)
    except BadFiles as exc:
        abort(400, description=f"These files cannot be graded: {exc}.")
    except service.TooManyInFlight as exc:
        abort(429, description=str(exc))
    return redirect(url_for("labs.lab", lab_id=lab.id, graded=submission.id,
                            _anchor="last-grade"), 303)
