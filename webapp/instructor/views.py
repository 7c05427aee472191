"""/instructor: what instructors need at a glance, and content problems to fix as file:line."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from sqlalchemy import func, select

from webapp.auth.decorators import role_required
from webapp.classes.teaching import taught_learners
from webapp.course.store import get_course, get_store, reload_store
from webapp.db import get_session
from webapp.grading.service import loadable_labs
from webapp.models import INSTRUCTOR, LEARNER, ChapterProgress, User

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
@role_required(INSTRUCTOR)
def dashboard():  # type: ignore[no-untyped-def]
    """The course at a glance; the learners counted are those of the classes the instructor
    teaches (every learner for an admin)."""
    session = get_session()
    course = get_course()
    completed = (select(ChapterProgress.slug, func.count())
                 .where(ChapterProgress.completed_at.is_not(None))
                 .group_by(ChapterProgress.slug))
    learners = select(func.count()).select_from(User).where(User.role == LEARNER)
    taught = taught_learners(session, g.user)
    if taught is not None:
        completed = completed.where(ChapterProgress.user_id.in_(taught))
        learners = learners.where(User.id.in_(taught))
    completions = dict(session.execute(completed).all())
    return render_template(
        "instructor/dashboard.html",
        course=course,
        learners=session.scalar(learners) or 0,
        completions=completions,
        labs=loadable_labs(),
    )


@bp.route("/content", methods=["GET", "POST"])
@role_required(INSTRUCTOR)
def content():  # type: ignore[no-untyped-def]
    """GET lists the problems; POST ("re-check now") reloads the content from disk first."""
    store = reload_store() if request.method == "POST" else get_store()
    return render_template(
        "instructor/content.html",
        course=store.course,
        content_dir=store.content_dir,
        rechecked=request.method == "POST",
    )
