"""Course pages: the home page, a chapter with its quiz, content images and code highlighting."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    send_from_directory,
)
from htmx_flask import request as htmx_request

from course import QUIZ_MARKER, Chapter, pygments_css
from webapp.classes.cohorts import LabDue, cohorts_of, due_for
from webapp.course import page_cache
from webapp.course.lablinks import lab_link
from webapp.course.quiz import QuizResult, mark, read_answers
from webapp.course.store import get_course, get_store
from webapp.db import get_session
from webapp.grading.counting import ClassCount, counts_for
from webapp.grading.service import Best, best_scores, lab_titles
from webapp.progress.records import overview, progress_by_slug, record_quiz, record_visit

bp = Blueprint("course", __name__)

IMAGES_DIR = "images"  # content/images/ is all /content-assets/ serves: never the .md sources
CSS_MAX_AGE = 3600


def chapter_or_404(slug: str) -> Chapter:
    chapter = get_course().chapter(slug)
    if chapter is None:
        abort(404, description=f"There is no chapter called {slug!r}.")
    return chapter


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    session = get_session()
    chapters = get_course().chapters
    summary = overview(session, g.user, chapters)
    labs = {c.lab: lab_link(c.lab) for c in chapters if c.lab}
    dues: list[LabDue] = []
    best: dict[tuple[int, str], Best] = {}
    counts: dict[str, list[ClassCount]] = {}
    if g.user is not None:
        cohorts = cohorts_of(session, g.user)
        dues = due_for(session, g.user, cohorts=cohorts)
        best = best_scores(session, g.user.id)
        counts = counts_for(session, g.user, [lab for lab, link in labs.items() if link],
                            cohorts)
    return render_template("course/home.html", overview=summary, dues=dues,
                           lab_titles=lab_titles() if dues else {}, labs=labs,
                           best={lab: score for (_, lab), score in best.items()},
                           counts=counts)


@bp.get("/chapters/<slug>")
def chapter(slug: str):  # type: ignore[no-untyped-def]
    return render_chapter(chapter_or_404(slug))


def render_chapter(chapter: Chapter, result: QuizResult | None = None):  # type: ignore[no-untyped-def]
    if result is None and page_cache.cacheable():
        return page_cache.anonymous_page(
            chapter, lambda token: chapter_page(chapter, None, csrf_token=token))
    if g.user is not None and result is None:
        record_visit(get_session(), g.user, chapter)
    return chapter_page(chapter, result)


def chapter_page(chapter: Chapter, result: QuizResult | None, **context: object) -> str:
    before, _, after = chapter.html.partition(QUIZ_MARKER)
    previous, following = get_course().neighbours(chapter.slug)
    return render_template(
        "course/chapter.html",
        chapter=chapter,
        before_quiz=before,
        after_quiz=after,
        previous=previous,
        following=following,
        lab=lab_link(chapter.lab),
        extra_labs=[link for link in map(lab_link, chapter.extra_labs) if link],
        record=progress_by_slug(get_session(), g.user).get(chapter.slug),
        result=result,
        **context,
    )


@bp.post("/chapters/<slug>/quiz")
def quiz(slug: str):  # type: ignore[no-untyped-def]
    """Score on the server; htmx gets the result partial, a plain form post the whole page."""
    chapter = chapter_or_404(slug)
    if chapter.quiz is None:
        abort(404, description="This chapter has no quiz.")
    result = mark(chapter.quiz, read_answers(request.form, chapter.quiz))
    if g.user is not None and not result.blank:
        result = replace(result, record=record_quiz(get_session(), g.user, chapter, result.score))
    if htmx_request.htmx:
        return render_template("course/_quiz_result.html", chapter=chapter, result=result,
                               oob=True)
    return render_chapter(chapter, result=result)


@bp.get("/content-assets/images/<path:filename>")
def content_asset(filename: str):  # type: ignore[no-untyped-def]
    """Images under content/images/; send_from_directory refuses paths that escape it."""
    return send_from_directory(get_store().content_dir / IMAGES_DIR, filename)


@bp.get("/highlight.css")
def highlight_css() -> Response:
    css = current_app.extensions.setdefault("archlab_highlight_css", pygments_css())
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = CSS_MAX_AGE
    return response
