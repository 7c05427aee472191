"""CSV roster import: rows enrol existing accounts or create new ones; any bad row is reported
by its line number and nothing at all is imported."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.classes.class_helpers import create_class, post_class_form
from tests.grading.grading_helpers import add_user
from webapp.classes.roster import RosterErrors, parse
from webapp.db import get_session
from webapp.models import Enrollment, User


def problems(data: bytes) -> list[str]:
    with pytest.raises(RosterErrors) as caught:
        parse(data)
    return caught.value.problems


def test_rows_are_read_with_an_optional_header_and_a_byte_order_mark() -> None:
    rows = parse("\ufeffemail,name\nAda@Example.org, Ada Lovelace\n\nbob@example.org,\n"
                 .encode())
    assert [(r.line, r.email, r.name) for r in rows] == [
        (2, "ada@example.org", "Ada Lovelace"), (4, "bob@example.org", "")]


def test_every_bad_row_is_named_by_its_line() -> None:
    data = (b"email,name\n"
            b"ada@example.org,Ada\n"
            b"not-an-email,Bob\n"
            b"cy@example.org,Cy,extra\n"
            b"ADA@example.org,Ada again\n"
            b'"dee@example.org","a name\nover two lines"\n'
            b"eve@example.org," + b"e" * 101 + b"\n")
    assert problems(data) == [
        "line 3: 'not-an-email' is not an email address",
        "line 4: expected 2 columns (email,name), found 3",
        "line 5: ada@example.org is also on line 2",
        "line 8: the name is longer than 100 characters",
    ]


def test_a_file_that_is_not_utf8_or_empty_is_refused() -> None:
    assert problems(b"ada@example.org,Ada\nbob@example.org,B\xe9atrice\n") == [
        "line 2: not UTF-8 text (save the CSV as UTF-8)"]
    assert problems(b"email,name\n\n") == [
        "the file has no learners (expected lines of email,name)"]


def roster_upload(instructor: FlaskClient, cohort_id: int, data: bytes):  # type: ignore[no-untyped-def]
    return post_class_form(instructor, cohort_id, "roster", "roster",
                           roster=(io.BytesIO(data), "roster.csv"))


def test_an_import_creates_accounts_and_enrols_existing_ones(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, _ = create_class(instructor)
    add_user(app, "ada@example.org")
    response = roster_upload(instructor, cohort_id,
                             b"email,name\nada@example.org,Ada\nnew@example.org,Newton\n")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = instructor.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Roster imported: 1 accounts created, 1 existing accounts enrolled, "
            "0 already in the class.") in page
    again = roster_upload(instructor, cohort_id, b"ada@example.org,Ada\n")
    assert "1 already in the class" in instructor.get(again.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        session = get_session()
        newton = session.query(User).filter_by(email="new@example.org").one()
        assert (newton.display_name, newton.role) == ("Newton", "learner")
        assert not newton.check_password(""), "a created account has no known password"
        assert session.query(Enrollment).filter_by(cohort_id=cohort_id).count() == 2


def test_a_bad_row_imports_nothing_and_the_page_names_its_line(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, _ = create_class(instructor)
    with app.app_context():
        users_before = get_session().query(User).count()
    response = roster_upload(instructor, cohort_id,
                             b"new@example.org,Newton\nother@example.org,Other\nbroken,X\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page
    assert "line 3: &#39;broken&#39; is not an email address" in page
    with app.app_context():
        session = get_session()
        assert session.query(User).count() == users_before
        assert session.query(Enrollment).count() == 0
