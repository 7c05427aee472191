"""The chapter page an anonymous reader gets is rendered once (content not reloading, as
deployed): every reader still gets a CSRF token of their own that their quiz answers pass
with, a logged-in reader still gets their own page, and a reloaded store its new text."""

from __future__ import annotations

import re

from flask import Flask

from tests.webapp.conftest import AuthActions
from webapp.course.page_cache import STAND_IN
from webapp.course.store import reload_store

PAGE = "/chapters/caching-basics"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


def test_each_anonymous_reader_gets_their_own_token_and_their_answers_pass(make_app) -> None:
    app: Flask = make_app(CONTENT_RELOAD=False)
    readers = [app.test_client() for _ in range(2)]
    pages = [reader.get(PAGE).get_data(as_text=True) for reader in readers]
    tokens = [TOKEN.search(page).group(1) for page in pages]  # type: ignore[union-attr]
    assert tokens[0] != tokens[1] and STAND_IN not in pages[0] + pages[1]
    assert [HEADER.search(page).group(1) for page in pages] == tokens  # type: ignore[union-attr]
    assert pages[0].replace(tokens[0], "T") == pages[1].replace(tokens[1], "T")
    for reader, token in zip(readers, tokens, strict=True):
        answered = reader.post(f"{PAGE}/quiz", data={"q0": "1", "q1": "0", "csrf_token": token})
        assert answered.status_code == 200 and "2 / 2" in answered.get_data(as_text=True)
    stranger = readers[0].post(f"{PAGE}/quiz", data={"q0": "1", "csrf_token": tokens[1]})
    assert stranger.status_code == 400, "another reader's token must not pass"


def test_a_logged_in_reader_gets_a_page_of_their_own(make_app) -> None:
    app: Flask = make_app(CONTENT_RELOAD=False)
    client = app.test_client()
    assert "Log in" in client.get(PAGE).get_data(as_text=True)
    auth = AuthActions(client)
    auth.register(name="Ada Lovelace")
    auth.login()
    page = client.get(PAGE).get_data(as_text=True)
    assert "Ada Lovelace" in page and "Log out" in page


def test_a_reloaded_store_serves_the_edited_chapter(make_app, content_dir) -> None:
    app: Flask = make_app(CONTENT_RELOAD=False)
    client = app.test_client()
    client.get(PAGE)
    [path] = content_dir.glob("*caching*.md")
    path.write_text(path.read_text() + "\nA brand new paragraph.\n")
    assert "A brand new paragraph" not in client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        reload_store()
    assert "A brand new paragraph" in client.get(PAGE).get_data(as_text=True)
