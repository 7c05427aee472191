"""The models' constraints, enforced by the database itself."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from webapp.auth.accounts import AccountError, create_user
from webapp.db import get_session
from webapp.models import ChapterProgress, User


def test_email_is_unique_in_the_table(app: Flask):
    with app.app_context():
        session = get_session()
        session.add(User(email="a@example.org", display_name="A", password_hash="x"))
        session.commit()
        session.add(User(email="a@example.org", display_name="B", password_hash="y"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_create_user_reports_a_taken_email_case_insensitively(app: Flask):
    with app.app_context():
        create_user(get_session(), "a@example.org", "A", "password-1")
        with pytest.raises(AccountError, match="already exists"):
            create_user(get_session(), "A@Example.org", "B", "password-2")


def test_create_user_refuses_an_unknown_role(app: Flask):
    with app.app_context(), pytest.raises(AccountError, match="unknown role"):
        create_user(get_session(), "a@example.org", "A", "password-1", role="superuser")


def test_one_progress_row_per_user_and_chapter(app: Flask):
    with app.app_context():
        session = get_session()
        user = create_user(session, "a@example.org", "A", "password-1")
        session.add(ChapterProgress(user_id=user.id, slug="caching", quiz_attempts=0))
        session.commit()
        session.add(ChapterProgress(user_id=user.id, slug="caching", quiz_attempts=0))
        with pytest.raises(IntegrityError):
            session.commit()


def test_password_check(app: Flask):
    with app.app_context():
        user = create_user(get_session(), "a@example.org", "A", "password-1")
        assert user.check_password("password-1")
        assert not user.check_password("password-2")
