"""The messages check reads the table `messages` straight from the database (README: the
API). A table or column of another name fails in those words, with PostgreSQL's own first
line, not as "the check could not finish: UndefinedTable: ..." and its LINE/caret lines."""

from __future__ import annotations

from types import SimpleNamespace

import psycopg
import pytest

from labs.checks import CheckFailed
from labs.ship_it import checks


def ctx_on(url: str) -> SimpleNamespace:
    return SimpleNamespace(sql=lambda: psycopg.connect(url, autocommit=True))


def test_a_table_of_another_name_is_named_in_the_readmes_terms(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE message (id bigserial PRIMARY KEY, text text NOT NULL)")
    with pytest.raises(CheckFailed) as failed:
        checks.ids_of_messages(ctx_on(postgres_url), "hello")
    assert failed.value.message == (
        "expected a table messages with the columns id and text in the database "
        'DATABASE_URL names (the grader reads it), got: relation "messages" does not exist')


def test_a_column_of_another_name_is_named_too(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE messages (id bigserial PRIMARY KEY, body text NOT NULL)")
    with pytest.raises(CheckFailed, match=r'got: column "text" does not exist$'):
        checks.ids_of_messages(ctx_on(postgres_url), "hello")


def test_the_readmes_table_gives_the_rows_ids(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE messages (id bigserial PRIMARY KEY, text text NOT NULL)")
        conn.execute("INSERT INTO messages (text) VALUES ('hello'), ('other')")
    assert checks.ids_of_messages(ctx_on(postgres_url), "hello") == [(1,)]
