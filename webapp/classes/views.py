"""Learners' side of classes: joining one by its code. Also the `in_zone` template filter,
which shows a stored UTC time on a class's wall clock, and `penalty`, a late penalty in words."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from webapp.auth.decorators import login_required
from webapp.classes.closing import penalty, shown
from webapp.classes.cohorts import ClassError, cohorts_of, join
from webapp.classes.forms import JoinForm
from webapp.db import get_session

bp = Blueprint("classes", __name__)


bp.add_app_template_filter(shown, "in_zone")
bp.add_app_template_filter(penalty, "penalty")


@bp.route("/classes/join", methods=["GET", "POST"])
@login_required
def join_class():  # type: ignore[no-untyped-def]
    form = JoinForm(data={"code": request.args.get("code", "")} if request.method == "GET"
                    else None)
    status = 200
    if form.validate_on_submit():
        try:
            cohort = join(get_session(), g.user, form.code.data)
        except ClassError as exc:
            form.code.errors.append(str(exc))
            status = 400
        else:
            flash(f"You joined {cohort.name}. Its due dates are on your labs and this page; the "
                  "work you grade from now on counts in it.")
            return redirect(url_for("course.home"))
    return render_template("classes/join.html", form=form,
                           cohorts=cohorts_of(get_session(), g.user)), status
