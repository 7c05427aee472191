"""The chapter page an anonymous reader gets, rendered once per loaded chapter.

Without an account the page differs between readers only by the CSRF token (the quiz form
and htmx's header), so it is rendered once with a stand-in token and each request puts its
own token in. Only when content does not reload (CONTENT_RELOAD off, as deployed), the
reader has no flashed message and no quiz was posted; a reloaded store (`reload_store`)
makes new Chapter objects, and an entry is only used for the very chapter it was made of.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from course import Chapter

EXTENSION = "archlab_chapter_pages"
STAND_IN = "csrf-token-of-this-request"  # survives |tojson and HTML escaping unchanged


def cacheable() -> bool:
    return (g.user is None and not current_app.config["CONTENT_RELOAD"]
            and "_flashes" not in session)


def anonymous_page(chapter: Chapter, render: Callable[[Callable[[], str]], str]) -> str:
    """The page of `chapter` with this request's CSRF token; `render(csrf_token)` renders it
    with that token function when it is not cached yet."""
    pages: dict[str, tuple[Chapter, str]] = current_app.extensions.setdefault(EXTENSION, {})
    cached = pages.get(chapter.slug)
    if cached is None or cached[0] is not chapter:
        cached = (chapter, render(lambda: STAND_IN))
        pages[chapter.slug] = cached
    return cached[1].replace(STAND_IN, generate_csrf())
