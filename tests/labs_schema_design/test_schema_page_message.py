"""The index check reads three full pages of each timed user; a page that comes back full
but without a next_cursor is named by its cursor, not as "got 20 orders" (which read as
the full page it asked for)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from labs.checks import CheckFailed
from labs.schema_design import checks

FULL_PAGE = [{"id": n} for n in range(20)]


def fake_ctx() -> SimpleNamespace:
    def expect(ok: object, message: str, evidence: object = None) -> None:
        if not ok:
            raise CheckFailed(message, evidence)
    return SimpleNamespace(expect=expect, last_exchange=lambda: None)


def test_a_full_page_without_a_cursor_names_the_missing_cursor() -> None:
    with pytest.raises(CheckFailed) as failed:
        checks.expect_full_page(fake_ctx(), 17, FULL_PAGE, None)
    assert failed.value.message == (
        'expected a full page of 20 orders of user 17 and a next_cursor (the user has 250 '
        'orders), got 20 orders and "next_cursor": null')


def test_a_short_page_names_its_length_and_cursor() -> None:
    with pytest.raises(CheckFailed, match=r'got 3 orders and "next_cursor": "abc"$'):
        checks.expect_full_page(fake_ctx(), 17, FULL_PAGE[:3], "abc")


def test_a_full_page_with_a_cursor_passes() -> None:
    checks.expect_full_page(fake_ctx(), 17, FULL_PAGE, "abc")
