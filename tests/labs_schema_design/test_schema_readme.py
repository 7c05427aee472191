"""The README is the learner's contract: its grading table and variables match the lab, the
numbers it states are the ones the checks grade against, and the query it shows is the one
the grader explains."""

from __future__ import annotations

import inspect
import re

from schema_lab import SCHEMA

from labs.schema_design import checks, database
from tests.support import lab_contract


def words(text: str) -> str:
    return " ".join(text.split())


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SCHEMA)


def test_readme_documents_every_variable() -> None:
    lab_contract.expect_readme_documents_the_app_env(SCHEMA)
    lab_contract.expect_readme_states_how_the_app_runs(SCHEMA)


def test_readme_states_the_numbers_the_checks_grade_against() -> None:
    readme = words(SCHEMA.readme)
    for stated in (f"{checks.LATENCY_BUDGET_MS} ms", f"{checks.SEED_ORDERS:,} orders",
                   f"{checks.SEED_USERS:,} users", f"{checks.BUYERS} `POST /orders`",
                   f"{checks.STOCK} in stock", f"limit={checks.PAGE_LIMIT}`, following "
                   "`next_cursor` to the end, placing a new order for the user through the "
                   "API between each two page requests",
                   f"{checks.PAGED_ORDERS} orders of", f"up to {checks.RESTART_READY_S} s",
                   f"first three pages (`limit=20`) of {checks.TIMED_USERS} loaded users",
                   f"({checks.PURCHASE_TIMEOUT_S} s for each of the {checks.BUYERS} simultaneous"):
        assert stated in readme, f"README.md does not say {stated!r}"
    lab_contract.expect_lab_box_says(
        SCHEMA, f"on {checks.SEED_ORDERS:,} orders",
        f"{checks.WITHIN_BUDGET_PERCENT}% of pages answer within {checks.LATENCY_BUDGET_MS} ms",
        f"of {checks.BUYERS} simultaneous purchases of {checks.STOCK} items, exactly "
        f"{checks.STOCK} succeed")


def test_readme_states_the_databases_process_limit() -> None:
    db = next(service for service in SCHEMA.spec.services if service.name == "db")
    lab_contract.expect_readme_says(
        SCHEMA, f"PostgreSQL runs a process per connection and may run at most "
        f"{db.limits['pids']} processes")


def test_readme_states_how_long_a_restart_waits_before_sigkill() -> None:
    from sandboxes.docker.backend import STOP_TIMEOUT as DOCKER_STOP
    from sandboxes.process.service import STOP_TIMEOUT as PROCESS_STOP

    assert DOCKER_STOP == PROCESS_STOP
    lab_contract.expect_readme_says(SCHEMA, f"(`SIGTERM`, `SIGKILL` after {PROCESS_STOP:g} s)")


def test_readme_shows_the_query_the_grader_explains() -> None:
    shown = re.search(r"```sql\nEXPLAIN (SELECT .+?);\n```", SCHEMA.readme, flags=re.DOTALL)
    assert shown, "README.md shows no EXPLAIN of the recent-orders query"
    assert words(shown.group(1)).replace("$1", "%s") == words(database.RECENT_ORDERS)


def test_readme_names_every_column_the_grader_writes() -> None:
    table = {name: cells for name, cells in re.findall(r"^\| `(\w+)` \| (.+) \|$",
                                                       SCHEMA.readme, flags=re.MULTILINE)}
    assert set(table) >= {"users", "products", "orders"}
    written = {"users": ("email", "name"), "products": ("name", "price_cents", "stock"),
               "orders": ("user_id", "product_id", "quantity", "price_cents", "created_at")}
    for name, columns in written.items():
        for column in columns:
            assert f"`{column}`" in table[name], f"README.md: {name}.{column} not documented"



def test_the_latency_bound_lets_one_of_the_30_timed_pages_be_slow() -> None:
    """The README's "95% of them (29 of the 30)" is what the check computes: the
    nearest-rank p95 of 30 pages is the 29th fastest."""
    pages = 3 * checks.TIMED_USERS
    lab_contract.expect_readme_says(
        SCHEMA, f"{checks.WITHIN_BUDGET_PERCENT}% of them ({pages - 1} of the {pages}) answer "
        f"within **{checks.LATENCY_BUDGET_MS} ms**")
    for slow in range(pages + 1):
        timings = [checks.LATENCY_BUDGET_MS + 1.0] * slow + [5.0] * (pages - slow)
        p95 = checks.nearest_rank(timings, checks.WITHIN_BUDGET_PERCENT)
        assert (p95 <= checks.LATENCY_BUDGET_MS) == (slow <= 1), f"{slow} slow pages"


def test_readme_says_the_graders_rows_take_no_stock() -> None:
    """The load's product is inserted with stock 0 and its 500,000 orders straight into
    orders: a schema that takes stock in a trigger on orders refuses the load, so the README
    says where stock is taken and what the grader's product holds."""
    source = " ".join(inspect.getsource(database.seed_orders).split())
    assert '"INSERT INTO products (name, price_cents, stock) " "VALUES (%s, %s, 0)' in source
    lab_contract.expect_readme_says(
        SCHEMA, "one product (`INSERT INTO products (name, price_cents, stock)` with stock 0)",
        "take no stock: the load's product has none",
        "not in a trigger on `orders`")
