"""Who may call what, generated from the route table: anonymous visitors are sent to log in
(scripts get 401), learners get 403 on instructor routes, and each route answers the class it
is for with the kind of answer the table says."""

from __future__ import annotations

import pytest

from tests.security.conftest import World
from tests.security.route_table import (
    FILE,
    INSTRUCTOR,
    JSON,
    LAUNCH_PAGE,
    LMS,
    PAGE,
    POLLED_PART,
    PUBLIC,
    ROUTES,
    WEBSOCKET,
)
from webapp.auth.decorators import LOGIN_FIRST

GUARDED = sorted(key for key, route in ROUTES.items() if route.access not in (PUBLIC, LMS))
INSTRUCTOR_ONLY = sorted(key for key, route in ROUTES.items() if route.access == INSTRUCTOR)
READABLE = sorted(key for key, route in ROUTES.items()
                  if key[1] == "GET" and route.answers not in (WEBSOCKET, LAUNCH_PAGE, POLLED_PART)
                  and route.access != LMS)


@pytest.mark.parametrize(("endpoint", "method"), GUARDED)
def test_anonymous_visitors_are_sent_to_log_in(world: World, endpoint: str, method: str) -> None:
    url = world.url_of(endpoint)
    response = world.anonymous.call(method, url)
    assert response.status_code == 302, f"{method} {url}: expected 302, got {response.status}"
    assert response.headers["Location"].startswith("/login?next="), (
        f"{method} {url}: expected a redirect to /login, got {response.headers['Location']}")


@pytest.mark.parametrize(("endpoint", "method"), GUARDED)
def test_anonymous_scripts_get_401_not_a_login_page(world: World, endpoint: str,
                                                    method: str) -> None:
    url = world.url_of(endpoint)
    fetched = world.anonymous.call(method, url, headers={"Accept": "application/json"})
    assert fetched.status_code == 401, f"{method} {url}: expected 401, got {fetched.status}"
    assert fetched.get_json()["error"] == LOGIN_FIRST
    htmx = world.anonymous.call(method, url, headers={"HX-Request": "true"})
    assert htmx.status_code == 401, f"{method} {url} (htmx): expected 401, got {htmx.status}"
    assert htmx.headers.get("HX-Redirect") == "/login", "expected htmx to be sent to /login"


@pytest.mark.parametrize(("endpoint", "method"), INSTRUCTOR_ONLY)
def test_learners_get_403_on_instructor_routes(world: World, endpoint: str, method: str) -> None:
    url = world.url_of(endpoint)
    response = world.ada.call(method, url)
    assert response.status_code == 403, f"{method} {url}: expected 403, got {response.status}"
    assert "for instructors only" in response.get_data(as_text=True)


@pytest.mark.parametrize(("endpoint", "method"), READABLE)
def test_each_page_answers_the_class_it_is_for(world: World, endpoint: str, method: str) -> None:
    route = ROUTES[endpoint, method]
    url = world.url_of(endpoint)
    with world.visitor_for(route.access).call(method, url) as response:  # a file's is open
        assert response.status_code == 200, (
            f"GET {url} as {route.access}: expected 200, got {response.status}")
        kind = response.mimetype
    expected = {PAGE: kind == PAGE, JSON: kind == JSON, FILE: kind not in (PAGE, JSON)}
    assert expected[route.answers], f"GET {url}: expected {route.answers}, got {kind}"
