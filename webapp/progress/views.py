"""/progress: the learner's chapters, quiz scores and completion."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template

from webapp.auth import logins
from webapp.auth.decorators import login_required
from webapp.course.store import get_course
from webapp.db import get_session
from webapp.grading.service import lab_scores
from webapp.progress.records import overview

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index():  # type: ignore[no-untyped-def]
    summary = overview(get_session(), g.user, get_course().chapters)
    live = logins.live_count(get_session(), g.user, logins.Lifetimes.of(current_app.config))
    return render_template("progress/index.html", overview=summary,
                           lab_scores=lab_scores(get_session(), g.user), logins=live)
