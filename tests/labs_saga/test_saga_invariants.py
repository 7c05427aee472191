"""The saga lab's judgement of the books, on hand-written orders and ledgers."""

from __future__ import annotations

from typing import Any

import pytest

from labs.saga.invariants import (
    calls_story,
    expected_status,
    net_charged,
    order_problems,
    outcome_problem,
    step_timeline,
    stock_problems,
)

ORDER = {"id": "o1", "total_cents": 1000, "items": [{"sku": "mug", "qty": 2,
                                                     "unit_price_cents": 500}]}


def ledgers(charged: int = 0, refunded: int = 0, reservation: str | None = None,
            shipped: bool = False) -> dict[str, dict[str, Any]]:
    return {
        "inventory": {"stock": {}, "reservations": (
            {"o1": {"items": {"mug": 2}, "status": reservation}} if reservation else {})},
        "payment": {"charges": [{"order_id": "o1", "amount_cents": charged}] if charged else [],
                    "refunds": [{"order_id": "o1", "amount_cents": refunded}] if refunded else []},
        "shipping": {"shipments": {"o1": {"id": "sh_1"}} if shipped else {}},
    }


def test_a_completed_order_with_matching_books_has_no_problem() -> None:
    books = ledgers(charged=1000, reservation="reserved", shipped=True)
    assert order_problems({**ORDER, "status": "COMPLETED"}, books) == []


@pytest.mark.parametrize(("books", "fragment"), [
    (ledgers(charged=2000, reservation="reserved", shipped=True), "expected 1000 cents charged"),
    (ledgers(charged=1000, reservation="released", shipped=True), "stock reserved"),
    (ledgers(charged=1000, reservation="reserved"), "expected a shipment"),
])
def test_a_completed_order_with_wrong_books_is_named(books, fragment: str) -> None:
    problems = order_problems({**ORDER, "status": "COMPLETED"}, books)
    assert len(problems) == 1 and fragment in problems[0]


def test_a_cancelled_order_refunded_and_released_is_consistent() -> None:
    books = ledgers(charged=1000, refunded=1000, reservation="released")
    assert order_problems({**ORDER, "status": "CANCELLED"}, books) == []
    assert net_charged(books["payment"], "o1") == 0


def test_a_cancelled_order_still_charged_and_reserved_has_two_problems() -> None:
    books = ledgers(charged=1000, reservation="reserved")
    problems = order_problems({**ORDER, "status": "CANCELLED"}, books)
    assert [p.split(": ", 1)[1][:12] for p in problems] == ["expected 0 c", "expected its"]


def test_an_order_still_in_flight_is_a_problem() -> None:
    assert "final status" in order_problems({**ORDER, "status": "PAID"}, ledgers())[0]


def test_stock_must_equal_the_start_minus_completed_orders() -> None:
    orders = [{**ORDER, "status": "COMPLETED"}, {**ORDER, "id": "o2", "status": "CANCELLED"}]
    assert stock_problems({"mug": 10}, {"mug": 8}, orders) == []
    assert stock_problems({"mug": 10}, {"mug": 6}, orders) == [
        "stock of mug: expected 10 - 2 sold = 8 left, got 6"]
    assert stock_problems({"mug": 1}, {"mug": -1}, orders) == ["stock of mug went negative: -1"]


def test_step_timeline_is_in_ms_since_the_order_was_created() -> None:
    order = {"created_at": "2026-05-01T12:00:00Z", "steps": [
        {"name": "reserve", "status": "succeeded", "started_at": "2026-05-01T12:00:00.010Z",
         "finished_at": "2026-05-01T12:00:00.050+00:00"},
        {"name": "charge", "status": "running", "started_at": "2026-05-01T12:00:00.060Z",
         "finished_at": None},
        {"name": "ship", "status": "running", "started_at": "yesterday"},
    ]}
    assert step_timeline(order) == [
        {"label": "reserve", "start": 10, "end": 50, "status": "succeeded"},
        {"label": "charge", "start": 60, "end": 60, "status": "running"}]


def call(outcome: Any, at: float = 0.0, took: float = 0.01) -> dict[str, Any]:
    return {"outcome": outcome, "at": at, "answered_at": at + took}


@pytest.mark.parametrize(("calls", "expected"), [
    ({"reserve": [call(201)], "charge": [call(201)], "ship": [call(201)]}, "COMPLETED"),
    ({"reserve": [call(503), call(409, 1)]}, "REJECTED"),
    ({"reserve": [call(201)], "charge": [call(503), call(402, 1)]}, "CANCELLED"),
    ({"reserve": [call(201)], "charge": [call("dropped"), call(201, 1)],
      "ship": [call(422)]}, "CANCELLED"),
    # a decline retried into a charge is still a decline: the first definite answer counts
    ({"reserve": [call(201)], "charge": [call(402), call(201, 1)], "ship": [call(201)]},
     "CANCELLED"),
    ({"reserve": [call(201)], "charge": [call(503)]}, None),   # stopped on an unknown outcome
    ({"reserve": [call(201)]}, None),                          # never charged
])
def test_the_expected_status_follows_the_services_first_definite_answers(
        calls: dict[str, list[dict[str, Any]]], expected: str | None) -> None:
    assert expected_status(calls) == expected


def test_a_status_the_answers_do_not_call_for_is_named_with_those_answers() -> None:
    calls = {"reserve": [call(201)], "charge": [call(201, 0.1, took=1.52)],
             "release": [call(200, 1.2)]}
    problem = outcome_problem({"id": "o1", "status": "CANCELLED"}, calls)
    assert problem is not None and problem.startswith(
        'order o1: expected its saga to go on until each step has a definite answer')
    assert problem.endswith('got "status": "CANCELLED" after only POST /reservations: 201; '
                            'POST /charges: 201 after 1.5 s; POST /reservations/o1/release: 200')
    calls["ship"] = [call(201, 2.0)]
    assert outcome_problem({"id": "o1", "status": "CANCELLED"}, calls) == (
        'order o1: expected "status": "COMPLETED" (POST /reservations: 201; POST /charges: '
        '201 after 1.5 s; POST /shipments: 201; POST /reservations/o1/release: 200), '
        'got "status": "CANCELLED"')
    assert outcome_problem({"id": "o1", "status": "COMPLETED"}, calls) is None
    assert calls_story("o1", {"charge": [call("dropped"), call(201, 1)]}) == (
        "POST /charges: no answer (connection dropped), 201")
