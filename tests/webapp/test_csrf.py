"""CSRF: every state-changing request needs the token, as a form field or htmx's header."""

from __future__ import annotations

import pytest

from tests.webapp.conftest import PASSWORD, csrf_token


@pytest.mark.parametrize(
    "path, data",
    [
        ("/login", {"email": "ada@example.org", "password": PASSWORD}),
        ("/register", {"email": "x@example.org", "display_name": "X", "password": PASSWORD}),
        ("/logout", {}),
        ("/chapters/caching-basics/quiz", {"q0": "1"}),
    ],
)
def test_post_without_token_is_rejected(client, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400, f"expected 400 without a CSRF token, got {response.status}"
    assert "security token" in response.get_data(as_text=True)


def test_post_with_a_forged_token_is_rejected(client):
    response = client.post("/chapters/caching-basics/quiz", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_htmx_header_token_is_accepted(client):
    token = csrf_token(client, "/chapters/caching-basics")
    response = client.post(
        "/chapters/caching-basics/quiz",
        data={"q0": "1"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200


def test_every_page_puts_the_token_in_hx_headers(client):
    page = client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
