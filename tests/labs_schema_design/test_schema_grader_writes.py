"""A schema that lacks what the grader writes is one cause: the first check whose write it
refuses names it, a later check refused the same way says it did not run (the starter's
orders have no price_cents, which both the keyset check and the index check insert)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from psycopg import errors

from labs.checks import CheckFailed, not_run
from labs.schema_design import checks

MISSING = 'column "price_cents" of relation "orders" does not exist'


def refused_write(ctx: SimpleNamespace, what: str, error: Exception) -> str:
    with pytest.raises(CheckFailed) as failed, checks.grader_writes(ctx, what):
        raise error
    return failed.value.message


def test_a_write_refused_again_for_the_same_reason_is_not_run() -> None:
    state: dict = {}
    keyset = SimpleNamespace(state=state, check_id="keyset_pages_survive_inserts")
    index = SimpleNamespace(state=state, check_id="recent_orders_use_an_index")
    assert refused_write(keyset, "insert 45 orders", errors.UndefinedColumn(MISSING)) == (
        f"expected the grader to insert 45 orders in the tables README.md describes, got: "
        f"{MISSING}")
    assert refused_write(index, "seed 500,000 orders", errors.UndefinedColumn(MISSING)) == (
        not_run(f'the grader cannot seed 500,000 orders in your tables either ({MISSING}), as '
                f'"Keyset pages show every order once while new orders arrive" said'))


def test_a_write_refused_for_another_reason_fails_on_its_own() -> None:
    state: dict = {}
    keyset = SimpleNamespace(state=state, check_id="keyset_pages_survive_inserts")
    index = SimpleNamespace(state=state, check_id="recent_orders_use_an_index")
    refused_write(keyset, "insert 45 orders", errors.UndefinedColumn(MISSING))
    other = 'relation "users" does not exist'
    assert refused_write(index, "seed 500,000 orders", errors.UndefinedTable(other)) == (
        f"expected the grader to seed 500,000 orders in the tables README.md describes, got: "
        f"{other}")
