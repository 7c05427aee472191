"""Submitting, the live result page (htmx polling of new check rows) and a learner's history."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from labs.catalog import UnknownLab, get_lab
from webapp.auth.decorators import login_required
from webapp.classes.closing import GradingClosed
from webapp.db import get_session
from webapp.grading import service
from webapp.grading.archive import BadFiles, unpack
from webapp.grading.counting import counts_for
from webapp.grading.diff import file_diffs, text_of
from webapp.grading.live import live_state
from webapp.grading.settings import labs_root
from webapp.models import Submission

bp = Blueprint("grading", __name__)


def _own_or_instructor(submission_id: int) -> Submission:
    submission = service.visible_submission(get_session(), g.user, submission_id)
    if submission is None:
        abort(404)
    return submission


def _lab_title(lab_id: str) -> str:
    try:
        return get_lab(lab_id, labs_root(current_app)).title
    except UnknownLab:
        return lab_id


@bp.post("/labs/<lab_id>/submissions")
@login_required
def create(lab_id: str):  # type: ignore[no-untyped-def]
    """A multipart upload: every file part is one file, its filename the path in the lab."""
    files = {part.filename or "": part.read() for part in request.files.getlist("files")}
    try:
        submission = service.submit(get_session(), g.user, lab_id, files)
    except UnknownLab:
        abort(404, description=f"There is no lab {lab_id!r}.")
    except GradingClosed as exc:
        abort(403, description=str(exc))
    except BadFiles as exc:
        abort(400, description=f"These files cannot be graded: {exc}.")
    except service.TooManyInFlight as exc:
        abort(429, description=str(exc))
    target = url_for("grading.show", submission_id=submission.id)
    return redirect(target, 303)


@bp.get("/labs/<lab_id>/submissions")
@login_required
def history(lab_id: str):  # type: ignore[no-untyped-def]
    session = get_session()
    try:
        service.check_lab(lab_id)
    except UnknownLab:
        abort(404)
    best = service.best_scores(session, g.user.id, lab_id).get((g.user.id, lab_id))
    return render_template("grading/history.html", lab_id=lab_id, lab_title=_lab_title(lab_id),
                           submissions=service.history(session, g.user, lab_id), best=best,
                           counts=counts_for(session, g.user, [lab_id])[lab_id])


@bp.get("/submissions/<int:submission_id>")
@login_required
def show(submission_id: int):  # type: ignore[no-untyped-def]
    submission = _own_or_instructor(submission_id)
    return render_template("grading/show.html", submission=submission,
                           lab_title=_lab_title(submission.lab_id),
                           **live_state(submission, after=-1))


@bp.get("/submissions/<int:submission_id>/files")
@login_required
def files(submission_id: int):  # type: ignore[no-untyped-def]
    """The submitted files, what changed since the learner's previous submission of the lab,
    and (for the learner) a way to restore them into the draft."""
    submission = _own_or_instructor(submission_id)
    submitted = unpack(submission.files)
    before = service.previous(get_session(), submission, g.user)
    diffs = file_diffs(unpack(before.files), submitted) if before is not None else None
    return render_template("grading/files.html", submission=submission,
                           lab_title=_lab_title(submission.lab_id), previous=before,
                           diffs=diffs, files={path: text_of(submitted[path])
                                               for path in sorted(submitted)})


@bp.get("/submissions/<int:submission_id>/live")
@login_required
def live(submission_id: int):  # type: ignore[no-untyped-def]
    """What changed since the page's last poll: new rows, or all rows of a new attempt."""
    submission = _own_or_instructor(submission_id)
    attempt = request.args.get("attempt", type=int)
    after = request.args.get("after", default=-1, type=int)
    # a new attempt, or the end of the grade (rows regrouped by cause): the whole list again
    whole = attempt != submission.attempt or not submission.in_flight
    state = live_state(submission, after=-1 if whole else after)
    return render_template("grading/_live.html", submission=submission, whole=whole, **state)
