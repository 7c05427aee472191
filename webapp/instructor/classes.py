"""/instructor/classes: create a class, its settings, roster (join code or CSV import),
per-lab due dates and per-learner extensions. Times are typed and shown on the class's
clock and stored in UTC."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import func, select

from webapp.auth.decorators import role_required
from webapp.classes.cohorts import (
    ClassError,
    create_cohort,
    grant_extension,
    members,
    set_due_date,
)
from webapp.classes.deadlines import from_local
from webapp.classes.forms import (
    WALL_CLOCK,
    CohortForm,
    DueDateForm,
    ExtensionForm,
    InstructorForm,
    RosterForm,
    choices,
)
from webapp.classes.roster import RosterErrors, import_roster
from webapp.classes.teaching import add_instructor, instructors, taught_cohorts, teaches
from webapp.db import get_session
from webapp.grading.service import lab_titles
from webapp.instructor.views import bp
from webapp.models import INSTRUCTOR, Cohort, Enrollment, User


def cohort_or_404(cohort_id: int) -> Cohort:
    """The class, if the instructor teaches it (403 otherwise; 404 when there is none)."""
    cohort = get_session().get(Cohort, cohort_id)
    if cohort is None:
        abort(404, description="There is no such class.")
    refuse_unless_teaching(cohort)
    return cohort


def refuse_unless_teaching(cohort: Cohort) -> None:
    if not teaches(get_session(), g.user, cohort):
        abort(403, description=f"You do not teach {cohort.name}: one of its instructors can "
                               "add you on its page.")


@bp.route("/classes", methods=["GET", "POST"])
@role_required(INSTRUCTOR)
def classes():  # type: ignore[no-untyped-def]
    session = get_session()
    form = CohortForm()
    if form.validate_on_submit():
        cohort = create_cohort(session, form.name.data, form.timezone.data, form.counts.data,
                               g.user)
        flash(f"Class {cohort.name} created. Learners join it with the code {cohort.join_code}.")
        return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)
    sizes = dict(session.execute(select(Enrollment.cohort_id, func.count())
                                 .group_by(Enrollment.cohort_id)).all())
    cohorts = taught_cohorts(session, g.user)
    return render_template("instructor/classes.html", form=form, cohorts=cohorts, sizes=sizes,
                           ), 400 if form.errors else 200


def _due_form(titles: dict[str, str], submitted: bool = False) -> DueDateForm:
    form = DueDateForm(prefix="due", **({} if submitted else {"formdata": None}))
    form.lab.choices = choices(titles.items())
    return form


def _extension_form(cohort: Cohort, learners: list[User], titles: dict[str, str],
                    submitted: bool = False) -> ExtensionForm:
    form = ExtensionForm(prefix="ext", **({} if submitted else {"formdata": None}))
    form.lab.choices = choices((d.lab_id, titles.get(d.lab_id, d.lab_id))
                                for d in cohort.due_dates)
    form.learner.choices = choices((u.id, f"{u.display_name} ({u.email})") for u in learners)
    return form


def _forms(cohort: Cohort, learners: list[User], titles: dict[str, str]) -> dict[str, Any]:
    """The class page's forms, blank (a POST re-renders the page with its own form instead)."""
    return {"due_form": _due_form(titles),
            "extension_form": _extension_form(cohort, learners, titles),
            "roster_form": RosterForm(prefix="roster", formdata=None),
            "instructor_form": InstructorForm(prefix="teacher", formdata=None),
            "settings_form": CohortForm(prefix="settings", formdata=None, obj=cohort)}


def _class_page(cohort: Cohort, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    titles = lab_titles()
    learners = members(get_session(), cohort)
    forms = _forms(cohort, learners, titles)
    forms.update(extra)
    return render_template("instructor/class.html", cohort=cohort, learners=learners,
                           titles=titles, teachers=instructors(get_session(), cohort),
                           **forms), status


@bp.get("/classes/<int:cohort_id>")
@role_required(INSTRUCTOR)
def cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    return _class_page(cohort_or_404(cohort_id))


@bp.post("/classes/<int:cohort_id>/settings")
@role_required(INSTRUCTOR)
def cohort_settings(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = cohort_or_404(cohort_id)
    form = CohortForm(prefix="settings")
    if not form.validate_on_submit():
        return _class_page(cohort, 400, settings_form=form)
    cohort.name, cohort.timezone, cohort.counts = form.name.data, form.timezone.data, \
        form.counts.data
    get_session().commit()
    flash("Class settings saved.")
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)


@bp.post("/classes/<int:cohort_id>/roster")
@role_required(INSTRUCTOR)
def cohort_roster(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = cohort_or_404(cohort_id)
    form = RosterForm(prefix="roster")
    if not form.validate_on_submit():
        return _class_page(cohort, 400, roster_form=form)
    try:
        report = import_roster(get_session(), cohort, form.roster.data.read(), g.user)
    except RosterErrors as exc:
        return _class_page(cohort, 400, roster_problems=exc.problems)
    flash(f"Roster imported: {len(report.created)} accounts created, {len(report.enrolled)} "
          f"existing accounts enrolled, {len(report.already)} already in the class."
          + (f" {len(report.elsewhere)} not enrolled, being in classes you do not teach "
             f"(they join with the code {cohort.join_code}): {', '.join(report.elsewhere)}."
             if report.elsewhere else ""))
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)


@bp.post("/classes/<int:cohort_id>/due-dates")
@role_required(INSTRUCTOR)
def cohort_due_date(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = cohort_or_404(cohort_id)
    titles = lab_titles()
    form = _due_form(titles, submitted=True)
    if not form.validate_on_submit():
        return _class_page(cohort, 400, due_form=form)
    late_until = form.late_until.data
    set_due_date(get_session(), cohort, form.lab.data,
                 from_local(form.due_at.data, cohort.timezone),
                 from_local(late_until, cohort.timezone) if late_until else None,
                 form.penalty.data or 0)
    flash(f"{titles[form.lab.data]} is due {form.due_at.data.strftime(WALL_CLOCK)} "
          f"({cohort.timezone}).")
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)


@bp.post("/classes/<int:cohort_id>/extensions")
@role_required(INSTRUCTOR)
def cohort_extension(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = cohort_or_404(cohort_id)
    session = get_session()
    titles = lab_titles()
    form = _extension_form(cohort, members(session, cohort), titles, submitted=True)
    if not form.validate_on_submit():
        return _class_page(cohort, 400, extension_form=form)
    learner = session.get(User, form.learner.data)
    try:
        grant_extension(session, cohort, form.lab.data, learner,
                        from_local(form.due_at.data, cohort.timezone))
    except ClassError as exc:
        form.learner.errors = [str(exc)]
        return _class_page(cohort, 400, extension_form=form)
    flash(f"{learner.display_name} now has until {form.due_at.data.strftime(WALL_CLOCK)} "
          f"({cohort.timezone}) for {titles.get(form.lab.data, form.lab.data)}.")
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)



@bp.post("/classes/<int:cohort_id>/instructors")
@role_required(INSTRUCTOR)
def cohort_instructor(cohort_id: int):  # type: ignore[no-untyped-def]
    """Add a co-instructor by the email of their instructor account."""
    cohort = cohort_or_404(cohort_id)
    form = InstructorForm(prefix="teacher")
    if not form.validate_on_submit():
        return _class_page(cohort, 400, instructor_form=form)
    try:
        added = add_instructor(get_session(), cohort, form.email.data)
    except ClassError as exc:
        form.email.errors = [str(exc)]
        return _class_page(cohort, 400, instructor_form=form)
    flash(f"{added.display_name} ({added.email}) teaches {cohort.name} now.")
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id), 303)
