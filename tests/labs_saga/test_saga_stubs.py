"""The participant stubs keep their promises: knobs count down, repeats are recognised."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from saga_lab import stub


@pytest.fixture
def payment(tmp_path: Path):
    # -S: no site-packages, so the stub must live on the standard library alone
    process = stub("payment", tmp_path, "-S")
    process.start()
    try:
        process.wait_ready()
        yield httpx.Client(base_url=process.url, timeout=10)
    finally:
        process.stop()


def charge(client: httpx.Client, key: str, order_id: str = "o1") -> httpx.Response:
    return client.post("/charges", json={"order_id": order_id, "amount_cents": 700},
                       headers={"Idempotency-Key": key})


def test_stub_runs_on_the_standard_library_alone(payment) -> None:
    assert payment.get("/health").json() == {"status": "ok", "role": "payment"}


def test_a_repeated_key_replays_the_charge_and_a_new_key_charges_again(payment) -> None:
    first, again, other = charge(payment, "k1"), charge(payment, "k1"), charge(payment, "k2")
    assert first.status_code == again.status_code == other.status_code == 201
    assert first.json() == again.json() != other.json()
    assert len(payment.get("/admin/ledger").json()["charges"]) == 2


def test_fail_next_counts_down_and_does_nothing(payment) -> None:
    payment.post("/admin/faults", json={"action": "charge", "fail_next": 2, "fail_status": 402})
    assert [charge(payment, f"k{i}").status_code for i in range(3)] == [402, 402, 201]
    assert len(payment.get("/admin/ledger").json()["charges"]) == 1


def test_a_crash_charges_then_drops_the_answer_and_the_retry_replays(payment) -> None:
    payment.post("/admin/faults", json={"action": "charge", "crash_next": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        charge(payment, "k1")
    assert charge(payment, "k1").status_code == 201
    assert len(payment.get("/admin/ledger").json()["charges"]) == 1
    outcomes = [r["outcome"] for r in payment.get("/admin/requests").json()["requests"]]
    assert outcomes == ["dropped", 201]


def test_a_repeat_during_a_slow_first_call_waits_for_its_outcome(payment) -> None:
    payment.post("/admin/faults", json={"action": "charge", "delay_next": 1, "delay_ms": 3000})
    slow = threading.Thread(target=charge, args=(payment, "k1"))
    slow.start()
    deadline = time.monotonic() + 10  # until the first call reached the stub, however late
    while not (pending := payment.get("/admin/requests").json()["requests"]) \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [r["outcome"] for r in pending] == ["pending"]
    assert charge(payment, "k1").status_code == 201
    slow.join()
    assert len(payment.get("/admin/ledger").json()["charges"]) == 1


def test_refund_returns_the_net_charge_once(payment) -> None:
    charge(payment, "k1")
    refund = {"json": {"order_id": "o1"}}
    first = payment.post("/refunds", headers={"Idempotency-Key": "r1"}, **refund).json()
    second = payment.post("/refunds", headers={"Idempotency-Key": "r2"}, **refund).json()
    assert (first["refunded_cents"], second["refunded_cents"]) == (700, 0)


def test_a_charge_without_a_key_or_with_a_bad_knob_is_a_400(payment) -> None:
    assert payment.post("/charges", json={"order_id": "o", "amount_cents": 5}).status_code == 400
    bad = payment.post("/admin/faults", json={"action": "charge", "fial_next": 1})
    assert bad.status_code == 400 and "fial_next" in bad.json()["detail"]
