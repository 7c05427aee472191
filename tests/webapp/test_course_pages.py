"""The course pages: home, a chapter with TOC, quiz form and pager; content images; reload."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from course.lablinking import link_lab
from webapp.db import get_session
from webapp.models import GRADED, Submission, User

TESTS = Path(__file__).resolve().parents[1]


def test_home_lists_chapters_in_order_with_summary_and_minutes(client):
    page = client.get("/").get_data(as_text=True)
    first, second = page.index("Caching Basics"), page.index("Scaling Out")
    assert first < second
    assert "Why a cache in front of a database helps" in page
    assert "20 min" in page
    assert "Course progress" not in page  # anonymous: no progress bar


def test_home_shows_the_learners_progress_bar(auth, client):
    auth.register()
    client.get("/chapters/scaling")
    page = client.get("/").get_data(as_text=True)
    assert "1 of 2 chapters complete (50%)" in page
    assert '<progress id="overall-progress" max="100" value="50">' in page


def test_chapter_page_has_toc_objectives_code_diagram_and_pager(client):
    response = client.get("/chapters/caching-basics")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<a href="#cache-aside">Cache-aside</a>' in page
    assert '<a href="#the-flow">The flow</a>' in page
    assert "Estimate a hit ratio" in page
    assert '<div class="highlight">' in page
    assert '<pre class="mermaid">' in page
    assert 'class="admonition warning"' in page
    assert 'href="/chapters/scaling#sharding"' in page
    assert 'src="/content-assets/images/cache.svg"' in page
    assert 'rel="next" href="/chapters/scaling"' in page
    assert 'rel="prev"' not in page


def test_chapter_quiz_form_stands_where_the_quiz_block_was(client):
    page = client.get("/chapters/caching-basics").get_data(as_text=True)
    assert page.index("Self-check quiz") < page.index('<section class="quiz"')
    assert page.index('<section class="quiz"') < page.index("Review the flow above")
    assert 'name="q1" value="2"' in page


def test_the_answer_key_never_reaches_the_browser(client):
    page = client.get("/chapters/caching-basics").get_data(as_text=True)
    assert "only falls back to the database on a miss" not in page
    assert "the TTL bounds staleness" not in page
    assert "answer:" not in page
    assert "correct" not in page.lower().replace("correct horse", "")


def test_chapter_names_its_lab_from_the_lab_catalog(client):
    page = client.get("/chapters/caching-basics").get_data(as_text=True)
    assert "Users and orders: a REST API" in page


def test_chapter_lists_its_extra_labs_after_its_lab(client, content_dir):
    [chapter] = content_dir.glob("*caching*.md")
    link_lab(chapter, "cache-aside")
    page = client.get("/chapters/caching-basics").get_data(as_text=True)
    assert page.index("Users and orders: a REST API") < page.index("More labs: ")
    assert ('More labs: <a href="/labs/cache-aside">A slow origin behind Redis: '
            "cache-aside</a>") in page


def test_chapter_without_lab_or_quiz(client):
    page = client.get("/chapters/scaling").get_data(as_text=True)
    assert 'class="lab-link"' not in page
    assert '<section class="quiz"' not in page
    assert 'rel="prev" href="/chapters/caching-basics"' in page


def test_unknown_chapter_is_404(client):
    assert client.get("/chapters/nope").status_code == 404


def test_content_images_are_served(client):
    with client.get("/content-assets/images/cache.svg") as response:  # closes the file
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"


def test_content_assets_never_serve_chapter_sources_or_escape(client):
    assert client.get("/content-assets/01-caching-basics.md").status_code == 404
    assert client.get("/content-assets/images/../01-caching-basics.md").status_code == 404
    assert client.get("/content-assets/images/%2e%2e/01-caching-basics.md").status_code == 404


def test_highlight_css_is_pygments_for_the_highlight_class(client):
    response = client.get("/highlight.css")
    assert response.mimetype == "text/css"
    assert ".highlight .k" in response.get_data(as_text=True)


def test_edited_markdown_shows_on_the_next_request(client, content_dir: Path):
    assert "A brand new paragraph" not in client.get("/chapters/scaling").get_data(as_text=True)
    path = content_dir / "02-scaling.md"
    path.write_text(path.read_text() + "\nA brand new paragraph.\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert "A brand new paragraph" in client.get("/chapters/scaling").get_data(as_text=True)


def test_without_reload_the_course_stays_as_loaded(make_app, content_dir: Path):
    client = make_app(CONTENT_RELOAD=False).test_client()
    client.get("/chapters/scaling")
    path = content_dir / "02-scaling.md"
    path.write_text(path.read_text() + "\nA brand new paragraph.\n")
    assert "A brand new paragraph" not in client.get("/chapters/scaling").get_data(as_text=True)


def test_lab_block_shows_what_you_will_build_with_the_labs_check_titles(
    make_app, content_dir: Path, monkeypatch
):
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(TESTS / "labs"))  # holds the toy lab
    (content_dir / "03-toys.md").write_text(
        "---\ntitle: Toys\norder: 3\nlab: toy-items\nminutes: 5\nsummary: Toys.\n"
        "objectives: [Store items]\n---\nItems over HTTP.\n\n```lab\n"
        "- section: items\n  build: A health check and an item store\n"
        "  checks: [health_answers, create_item_returns_201, item_can_be_read_back]\n"
        "```\n\n## Items\n\nPOST and GET.\n"
    )
    page = make_app().test_client().get("/chapters/toys").get_data(as_text=True)
    box = page[page.index('<aside class="lab-box"'):page.index("</aside>", page.index("lab-box"))]
    assert "What you will build" in box
    assert 'href="/labs/toy-items"' in box
    assert '<a href="#items">Items</a>' in box
    assert "<li>Creating an item answers 201 with its id</li>" in box
    assert '<a href="#what-you-will-build">What you will build</a>' in page  # in the TOC


def test_the_real_chapter_7_boxes_its_extra_lab_like_its_main_lab(make_app):
    """Chapter 7's rate-limiter (an extra lab) gets a box of its own, checks named by the
    real lab's titles, listed in the table of contents after the sharding lab's."""
    client = make_app(CONTENT_DIR=TESTS.parent / "content").test_client()
    page = client.get("/chapters/scalability").get_data(as_text=True)
    main = page.index('<h2 id="what-you-will-build">What you will build</h2>')
    extra = page.index('<h2 id="what-you-will-build-rate-limiter">What you will build in the '
                       "rate-limiter lab</h2>")
    assert main < extra
    box = page[extra:page.index("</aside>", extra)]
    assert 'href="/labs/rate-limiter"' in box
    assert '<a href="#rate-limiting">Rate limiting</a>' in box
    assert "<li>Simultaneous requests cannot overdraw a bucket</li>" in box
    assert "records_round_trip" not in box and "shard" not in box
    toc = page.index('<a href="#what-you-will-build">')
    assert toc < page.index('<a href="#what-you-will-build-rate-limiter">') < page.index(
        '<a href="#vertical-and-horizontal-scaling">', toc)


def test_home_links_each_chapters_lab_with_the_learners_best_score(app, auth, client):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'lab: <a href="/labs/rest-api">Users and orders' in anonymous
    assert "your best" not in anonymous and "not graded yet" not in anonymous
    auth.register()
    assert "lab not graded yet" in client.get("/").get_data(as_text=True)
    with app.app_context():
        session = get_session()
        user = session.scalar(select(User).where(User.email == "ada@example.org"))
        for score in (40, 85):
            session.add(Submission(user_id=user.id, lab_id="rest-api", files=b"", status=GRADED,
                                   score=score, max_score=100))
        session.commit()
    assert "your best, any time: 85 / 100 (85%)" in client.get("/").get_data(as_text=True)
