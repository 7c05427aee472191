"""/progress: the learner's chapters, quiz scores and completion, and per lab their best
score beside what counts in each of their classes (the figure their gradebook holds)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template

from webapp.auth import logins
from webapp.auth.decorators import login_required
from webapp.course.store import get_course
from webapp.db import get_session
from webapp.grading.counting import counts_for
from webapp.grading.service import lab_scores
from webapp.progress.records import overview

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index():  # type: ignore[no-untyped-def]
    session = get_session()
    summary = overview(session, g.user, get_course().chapters)
    live = logins.live_count(session, g.user, logins.Lifetimes.of(current_app.config))
    scores = lab_scores(session, g.user)
    counts = counts_for(session, g.user, [lab.lab_id for lab in scores])
    return render_template("progress/index.html", overview=summary, lab_scores=scores,
                           counts=counts, logins=live)
