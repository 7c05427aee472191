"""Security headers on every response: pages, errors, static files, content images, CSS."""

from __future__ import annotations

import pytest

from webapp.security import SECURITY_HEADERS

PATHS = [
    "/",
    "/chapters/caching-basics",
    "/login",
    "/register",
    "/progress",
    "/no-such-page",
    "/api/nothing",
    "/static/css/site.css",
    "/static/vendor/htmx.min.js",
    "/content-assets/images/cache.svg",
    "/highlight.css",
]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:  # closed: a static file's answer holds it open
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, f"{path}: expected {name}: {value!r}"


def test_csp_allows_no_inline_or_foreign_scripts():
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_carry_no_inline_script(client, auth):
    auth.register()
    for path in ("/", "/chapters/caching-basics", "/progress"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page, path
        for tag in page.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], f"{path}: inline <script> without src"


def test_session_cookie_is_httponly_and_lax(auth, client):
    response = auth.register()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug_and_testing(make_app):
    from tests.webapp.conftest import AuthActions

    response = AuthActions(make_app(TESTING=False).test_client()).register()
    assert "Secure" in response.headers["Set-Cookie"]
