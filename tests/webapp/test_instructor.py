"""Instructor pages: the dashboard and content problems as file:line, with re-check."""

from __future__ import annotations

from pathlib import Path

from tests.webapp.conftest import csrf_token, log_in_instructor

BROKEN = "---\ntitle: Broken\norder: 3\nminutes: ten\nsummary: s\nobjectives: [x]\n---\nBody.\n"


def test_dashboard_counts_chapters_learners_and_completions(instructor, client):
    page = client.get("/instructor/").get_data(as_text=True)
    assert "<strong>2</strong> chapters" in page
    assert "<strong>0</strong> learners" in page
    assert "<strong>0</strong> content problems" in page


def test_content_page_says_when_there_are_no_problems(instructor, client):
    assert "No problems" in client.get("/instructor/content").get_data(as_text=True)


def test_content_page_lists_a_broken_file_as_file_line(instructor, client, content_dir: Path):
    (content_dir / "03-broken.md").write_text(BROKEN)
    page = client.get("/instructor/content").get_data(as_text=True)
    assert "<code>content/03-broken.md:4</code>: " in page


def test_recheck_reloads_even_without_auto_reload(make_app, content_dir: Path):
    app = make_app(CONTENT_RELOAD=False)
    client = app.test_client()
    log_in_instructor(app, client)
    assert "03-broken.md" not in client.get("/instructor/content").get_data(as_text=True)
    (content_dir / "03-broken.md").write_text(BROKEN)
    assert "03-broken.md" not in client.get("/instructor/content").get_data(as_text=True)
    token = csrf_token(client, "/instructor/content")
    page = client.post("/instructor/content", data={"csrf_token": token}).get_data(as_text=True)
    assert "<code>content/03-broken.md:4</code>" in page
