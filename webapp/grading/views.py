"""Submitting, the live result page (htmx polling of new check rows) and a learner's history."""

from __future__ import annotations

from operator import attrgetter

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
from labs.results import outline
from webapp.auth.decorators import login_required
from webapp.db import get_session
from webapp.grading import service
from webapp.grading.archive import BadFiles
from webapp.grading.charts import drawable
from webapp.grading.settings import labs_root
from webapp.models import Submission

bp = Blueprint("grading", __name__)
POLL_MS = 300


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
    best = service.best_scores(session, g.user.id).get((g.user.id, lab_id))
    return render_template("grading/history.html", lab_id=lab_id, lab_title=_lab_title(lab_id),
                           submissions=service.history(session, g.user, lab_id), best=best)


@bp.get("/submissions/<int:submission_id>")
@login_required
def show(submission_id: int):  # type: ignore[no-untyped-def]
    submission = _own_or_instructor(submission_id)
    return render_template("grading/show.html", submission=submission,
                           lab_title=_lab_title(submission.lab_id),
                           **_live_state(submission, after=-1))


@bp.get("/submissions/<int:submission_id>/live")
@login_required
def live(submission_id: int):  # type: ignore[no-untyped-def]
    """What changed since the page's last poll: new rows, or all rows of a new attempt."""
    submission = _own_or_instructor(submission_id)
    attempt = request.args.get("attempt", type=int)
    after = request.args.get("after", default=-1, type=int)
    # a new attempt, or the end of the grade (rows regrouped by cause): the whole list again
    whole = attempt != submission.attempt or not submission.in_flight
    state = _live_state(submission, after=-1 if whole else after)
    return render_template("grading/_live.html", submission=submission, whole=whole, **state)


def _live_state(submission: Submission, after: int) -> dict[str, object]:
    """What the result page shows past row `after`. Once the grade is over, the rows are
    also outlined (each check that did not run sits with the check or cause that stopped it,
    which the summary states once at the top) and metrics name their check by its title."""
    session = get_session()
    rows = service.current_checks(session, submission, after)
    last = rows[-1].position if rows else after  # positions run 0, 1, 2... per attempt
    details = service.details_of(submission)
    charts, other_charts = drawable(details.get("charts", []))
    entries = None
    if not submission.in_flight:
        every = rows if after < 0 else service.current_checks(session, submission)
        entries = outline(every, id_of=attrgetter("check_id"))
        titles = {row.check_id: row.name for row in every}
        details["metrics"] = [{**metric, "check": titles.get(metric.get("check"),
                                                              metric.get("check"))}
                              for metric in details.get("metrics", [])]
    return {"rows": rows, "done": last + 1, "last": last, "details": details,
            "entries": entries, "charts": charts, "other_charts": other_charts,
            "poll_ms": POLL_MS}
