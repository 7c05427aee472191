"""/instructor/gradebook, failure rates and regrades: the grading views on the instructor bp.
Each takes an optional class (`cohort`): its learners only, under its deadline rules."""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, select

from labs.catalog import UnknownLab, load_checks
from labs.spec import LabSpecError
from webapp.auth.decorators import role_required
from webapp.classes.teaching import taught_cohorts, taught_learners, teaches_learner
from webapp.classes.visibility import class_work, seen_by, sees
from webapp.course.store import get_course
from webapp.db import get_session
from webapp.grading import gradebook as book
from webapp.grading.live import POLL_MS
from webapp.grading.service import check_lab, lab_titles, loadable_labs
from webapp.instructor.classes import refuse_unless_teaching
from webapp.instructor.views import bp
from webapp.models import INSTRUCTOR, Cohort, Regrade, RegradeItem, Submission, User

bp.app_template_filter("points")(book.points)


def _known_lab(lab_id: str) -> str:
    try:
        check_lab(lab_id)
    except UnknownLab:
        abort(404, description=f"There is no lab {lab_id!r}.")
    return lab_id


def _selected_cohort(value: str | None) -> Cohort | None:
    """The class ?cohort= names, if the instructor teaches it (403 otherwise)."""
    if not value:
        return None
    cohort = get_session().get(Cohort, int(value)) if value.isdigit() else None
    if cohort is None:
        abort(404, description="There is no such class.")
    refuse_unless_teaching(cohort)
    return cohort


def _work(cohort: Cohort | None) -> ColumnElement[bool] | None:
    """Which submissions a page covers: the class's work, or (without a class) the work of
    every class the instructor teaches; None means all (an admin without a class)."""
    if cohort is not None:
        return class_work(cohort)
    return None if g.user.is_admin else seen_by(g.user)


def _learner_taught(user_id: int) -> None:
    if not teaches_learner(get_session(), g.user, user_id):
        abort(403, description="This learner is in none of the classes you teach.")


def _lab_columns() -> list[book.Column]:
    columns = []
    for lab in loadable_labs():
        try:
            max_score = load_checks(lab).max_score
        except LabSpecError:
            continue
        columns.append(book.Column(book.LAB, lab.id, lab.title, max_score))
    return columns


def _quiz_columns() -> list[book.Column]:
    return [book.Column(book.QUIZ, chapter.slug, chapter.title, len(chapter.quiz.questions))
            for chapter in get_course().chapters if chapter.quiz is not None]


def _selected_gradebook() -> tuple[book.Gradebook, dict[str, str], str | None, Cohort | None]:
    """The gradebook the query asks for: ?cohort=<class id> and ?lab=<lab id> (one lab and
    no quizzes)."""
    labs = _lab_columns()
    titles = {column.key: column.title for column in labs}
    lab = request.args.get("lab") or None
    if lab is not None and lab not in titles:
        abort(404, description=f"There is no lab {lab!r}.")
    cohort = _selected_cohort(request.args.get("cohort"))
    columns = [c for c in labs if c.key == lab] if lab else _quiz_columns() + labs
    only = None if cohort is not None else taught_learners(get_session(), g.user)
    return (book.gradebook(get_session(), columns, cohort, only, _work(cohort)), titles, lab,
            cohort)


@bp.get("/gradebook")
@role_required(INSTRUCTOR)
def gradebook():  # type: ignore[no-untyped-def]
    grades, titles, lab, cohort = _selected_gradebook()
    cohorts = taught_cohorts(get_session(), g.user)
    return render_template("grading/instructor_gradebook.html", grades=grades, titles=titles,
                           lab=lab, cohort=cohort, cohorts=cohorts)


@bp.get("/gradebook.csv")
@role_required(INSTRUCTOR)
def gradebook_csv():  # type: ignore[no-untyped-def]
    grades, _, lab, cohort = _selected_gradebook()
    name = "-".join(["gradebook", *([f"class-{cohort.id}"] if cohort else []),
                     lab or "all-labs"])
    return Response(grades.csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.get("/gradebook/<int:user_id>/<lab_id>")
@role_required(INSTRUCTOR)
def learner_submissions(user_id: int, lab_id: str):  # type: ignore[no-untyped-def]
    session = get_session()
    learner = session.get(User, user_id) or abort(404)
    _learner_taught(user_id)
    submissions = session.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.lab_id == _known_lab(lab_id),
        seen_by(g.user)).order_by(Submission.id.desc()))
    back = {"cohort": request.args.get("cohort") or None, "lab": request.args.get("lab") or None}
    if back["cohort"] is not None:
        _selected_cohort(back["cohort"])  # the gradebook view it came from, if still theirs
    return render_template("grading/instructor_submissions.html", learner=learner,
                           lab_id=lab_id, submissions=list(submissions),
                           lab_title=_lab_title(lab_id), back=back)


def _lab_title(lab_id: str) -> str:
    return lab_titles().get(lab_id, lab_id)


@bp.get("/labs/<lab_id>/failures")
@role_required(INSTRUCTOR)
def failures(lab_id: str):  # type: ignore[no-untyped-def]
    cohort = _selected_cohort(request.args.get("cohort"))
    rates = book.failure_rates(get_session(), _known_lab(lab_id), _work(cohort))
    return render_template("grading/instructor_failures.html", lab_id=lab_id, rates=rates,
                           lab_title=_lab_title(lab_id), cohort=cohort)


@bp.post("/labs/<lab_id>/regrades")
@role_required(INSTRUCTOR)
def regrade(lab_id: str):  # type: ignore[no-untyped-def]
    """Regrade the lab's submissions the instructor sees, or a class's work (form field
    `cohort`)."""
    cohort = _selected_cohort(request.form.get("cohort"))
    started = book.start_regrade(get_session(), _known_lab(lab_id), g.user, work=_work(cohort))
    return redirect(url_for("instructor.regrade_result", regrade_id=started.id), 303)


@bp.post("/submissions/<int:submission_id>/regrade")
@role_required(INSTRUCTOR)
def regrade_submission(submission_id: int):  # type: ignore[no-untyped-def]
    session = get_session()
    submission = session.get(Submission, submission_id) or abort(404)
    _learner_taught(submission.user_id)
    if not sees(session, g.user, submission):
        abort(403, description=f"Submission #{submission.id} is not the work of a class you "
                               "teach.")
    if submission.in_flight:
        abort(409, description=f"Submission #{submission.id} is being graded already.")
    started = book.start_regrade(session, submission.lab_id, g.user,
                                 submission_ids=[submission.id])
    return redirect(url_for("instructor.regrade_result", regrade_id=started.id), 303)


@bp.get("/regrades/<int:regrade_id>")
@role_required(INSTRUCTOR)
def regrade_result(regrade_id: int):  # type: ignore[no-untyped-def]
    regrade = _followed_regrade(regrade_id)
    return render_template("grading/instructor_regrade.html", regrade=regrade,
                           lab_title=_lab_title(regrade.lab_id), poll_ms=POLL_MS)


@bp.get("/regrades/<int:regrade_id>/live")
@role_required(INSTRUCTOR)
def regrade_live(regrade_id: int):  # type: ignore[no-untyped-def]
    """The regrade's table as it stands, polled by its page until nothing is pending."""
    regrade = _followed_regrade(regrade_id)
    return render_template("grading/_regrade_progress.html", regrade=regrade, poll_ms=POLL_MS)


def _followed_regrade(regrade_id: int) -> Regrade:
    """A regrade lists learners' scores: an admin follows any, an instructor one whose
    submissions they all see, whoever started it (the instructors of a class follow a
    regrade of that class's work; one that also covers other work is not theirs to read)."""
    session = get_session()
    regrade = session.get(Regrade, regrade_id) or abort(404)
    unseen = session.scalar(select(Submission.id).join(RegradeItem).where(
        RegradeItem.regrade_id == regrade.id, ~seen_by(g.user)).limit(1))
    if unseen is not None:
        abort(403, description="This regrade covers work of classes you do not teach.")
    return regrade
