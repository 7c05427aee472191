"""Who sees what: every page renders for its role; learners get 403, anonymous users log in."""

from __future__ import annotations

import pytest

PUBLIC = ["/", "/chapters/caching-basics", "/chapters/scaling", "/login", "/register"]
LEARNER = ["/progress"]
INSTRUCTOR = ["/instructor/", "/instructor/content"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_render_for_anyone(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", LEARNER + INSTRUCTOR)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PUBLIC + LEARNER)
def test_learner_pages_render_for_a_learner(auth, client, path):
    auth.register()
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", INSTRUCTOR)
def test_learners_get_403_on_instructor_pages(auth, client, path):
    auth.register()
    response = client.get(path)
    assert response.status_code == 403
    assert "for instructors only" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PUBLIC + LEARNER + INSTRUCTOR)
def test_every_page_renders_for_an_instructor(instructor, client, path):
    assert client.get(path).status_code == 200


def test_instructor_nav_link_only_for_instructors(auth, client):
    auth.register()
    assert 'href="/instructor/"' not in client.get("/").get_data(as_text=True)


def test_instructor_sees_the_instructor_nav_link(instructor, client):
    assert 'href="/instructor/"' in client.get("/").get_data(as_text=True)
