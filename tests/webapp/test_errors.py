"""Error pages: HTML for people, JSON under /api, and no traceback for a crash."""

from __future__ import annotations

from flask import Flask


def test_404_page_is_html(client):
    response = client.get("/chapters/nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "no chapter called" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_an_unhandled_exception_is_a_plain_500_page(make_app):
    app: Flask = make_app(TESTING=False)

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Internal Server Error" in page and "secret detail" not in page


def test_a_script_asking_for_json_gets_its_error_as_json(client):
    """The workspace's fetch calls read a JSON reason; an HTML page would show them nothing."""
    response = client.post("/labs/rest-api/draft/file", json={"path": "app.py", "text": ""},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert "security token" in response.get_json()["message"]


def test_a_browser_asking_for_html_still_gets_the_page(client):
    response = client.get("/chapters/nope", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
