"""Progress: visits and quiz scores show on /progress; chapters without a quiz complete on read."""

from __future__ import annotations

from tests.webapp.test_quiz import HALF, answer


def test_progress_requires_login(client):
    response = client.get("/progress")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/progress"


def test_nothing_visited_yet(auth, client):
    auth.register()
    page = client.get("/progress").get_data(as_text=True)
    assert "0 of 2 chapters complete (0%)" in page
    assert page.count("never") == 2


def test_a_visit_and_a_quiz_show_on_the_progress_page(auth, client):
    auth.register()
    client.get("/chapters/caching-basics")
    answer(client, HALF)
    client.get("/chapters/scaling")
    page = client.get("/progress").get_data(as_text=True)
    assert "1 / 2 (50%)" in page
    assert "in progress" in page
    assert "no quiz" in page
    assert "1 of 2 chapters complete (50%)" in page
