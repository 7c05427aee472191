"""/instructor/gradebook, failure rates and regrades: the grading views on the instructor bp."""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from labs.catalog import UnknownLab
from webapp.auth.decorators import role_required
from webapp.db import get_session
from webapp.grading import gradebook as book
from webapp.grading.service import check_lab, lab_titles
from webapp.instructor.views import bp
from webapp.models import INSTRUCTOR, Regrade, Submission, User


def _known_lab(lab_id: str) -> str:
    try:
        check_lab(lab_id)
    except UnknownLab:
        abort(404, description=f"There is no lab {lab_id!r}.")
    return lab_id


def _selected_gradebook() -> tuple[book.Gradebook, dict[str, str], str | None]:
    titles = lab_titles()
    lab = request.args.get("lab") or None
    if lab is not None and lab not in titles:
        abort(404, description=f"There is no lab {lab!r}.")
    return book.gradebook(get_session(), [lab] if lab else list(titles)), titles, lab


@bp.get("/gradebook")
@role_required(INSTRUCTOR)
def gradebook():  # type: ignore[no-untyped-def]
    grades, titles, lab = _selected_gradebook()
    return render_template("grading/instructor_gradebook.html", grades=grades, titles=titles,
                           lab=lab)


@bp.get("/gradebook.csv")
@role_required(INSTRUCTOR)
def gradebook_csv():  # type: ignore[no-untyped-def]
    grades, _, lab = _selected_gradebook()
    name = f"gradebook-{lab or 'all-labs'}.csv"
    return Response(grades.csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/gradebook/<int:user_id>/<lab_id>")
@role_required(INSTRUCTOR)
def learner_submissions(user_id: int, lab_id: str):  # type: ignore[no-untyped-def]
    session = get_session()
    learner = session.get(User, user_id) or abort(404)
    submissions = session.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.lab_id == _known_lab(lab_id))
        .order_by(Submission.id.desc()))
    return render_template("grading/instructor_submissions.html", learner=learner,
                           lab_id=lab_id, submissions=list(submissions))


@bp.get("/labs/<lab_id>/failures")
@role_required(INSTRUCTOR)
def failures(lab_id: str):  # type: ignore[no-untyped-def]
    rates = book.failure_rates(get_session(), _known_lab(lab_id))
    return render_template("grading/instructor_failures.html", lab_id=lab_id, rates=rates)


@bp.post("/labs/<lab_id>/regrades")
@role_required(INSTRUCTOR)
def regrade(lab_id: str):  # type: ignore[no-untyped-def]
    started = book.start_regrade(get_session(), _known_lab(lab_id), g.user)
    return redirect(url_for("instructor.regrade_result", regrade_id=started.id), 303)


@bp.get("/regrades/<int:regrade_id>")
@role_required(INSTRUCTOR)
def regrade_result(regrade_id: int):  # type: ignore[no-untyped-def]
    regrade = get_session().get(Regrade, regrade_id) or abort(404)
    return render_template("grading/instructor_regrade.html", regrade=regrade)
