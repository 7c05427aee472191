"""The mailer stub keeps its promises: one email per key, failing and held addresses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from queue_lab import QUEUE

from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess

EMAIL = {"to": "ana@example.org", "subject": "Hi", "body": "Hello"}


@pytest.fixture
def mailer(tmp_path: Path) -> Iterator[httpx.Client]:
    # -S: no site-packages, so the stub must live on the standard library alone
    process = LocalProcess("mailer", [LEARNER_PYTHON, "-S", "services/mailer.py"], QUEUE.path,
                           {"MAILER_LATENCY_MS": "50"}, tmp_path, "/health")
    process.start()
    try:
        process.wait_ready()
        yield httpx.Client(base_url=process.url, timeout=10)
    finally:
        process.stop()


def send(client: httpx.Client, key: str, **changes: str) -> httpx.Response:
    return client.post("/send", json={**EMAIL, **changes}, headers={"Idempotency-Key": key})


def outbox(client: httpx.Client) -> list[dict]:
    return client.get("/admin/outbox").json()["sent"]


def test_a_repeated_key_replays_the_answer_and_a_new_key_sends_again(mailer) -> None:
    first, again, other = send(mailer, "k1"), send(mailer, "k1"), send(mailer, "k2")
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json() == again.json() != other.json()
    assert [sent["idempotency_key"] for sent in outbox(mailer)] == ["k1", "k2"]
    calls = mailer.get("/admin/requests").json()["requests"]
    assert [(call["outcome"], call["replayed"]) for call in calls] == [
        (200, False), (200, True), (200, False)]


def test_the_admin_lists_keep_only_the_addresses_asked_for(mailer) -> None:
    send(mailer, "k1"), send(mailer, "k2", to="bo@example.net"), send(mailer, "k3", to="x@y")
    asked = mailer.get("/admin/outbox", params={"to": [EMAIL["to"], "bo@example.net"]})
    assert [sent["idempotency_key"] for sent in asked.json()["sent"]] == ["k1", "k2"]
    calls = mailer.get("/admin/requests", params={"to": "x@y"}).json()["requests"]
    assert [call["idempotency_key"] for call in calls] == ["k3"]


def test_concurrent_sends_of_one_key_send_one_email(mailer) -> None:
    threads = [threading.Thread(target=send, args=(mailer, "same")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox(mailer)) == 1


def test_a_failing_address_sends_nothing_until_its_rule_changes(mailer) -> None:
    mailer.post("/admin/rules", json={"to": EMAIL["to"], "fail": 502})
    assert [send(mailer, "k1").status_code for _ in range(3)] == [502, 502, 502]
    assert outbox(mailer) == []
    mailer.post("/admin/rules", json={"to": EMAIL["to"], "fail": 0})
    assert send(mailer, "k1").status_code == 200 and len(outbox(mailer)) == 1


def test_a_held_send_is_in_the_outbox_before_its_answer_comes(mailer) -> None:
    mailer.post("/admin/rules", json={"to": EMAIL["to"], "hold": True})
    answers: list[int] = []
    held = threading.Thread(target=lambda: answers.append(send(mailer, "k1").status_code))
    held.start()
    held.join(1.0)
    assert held.is_alive() and answers == []
    assert len(outbox(mailer)) == 1
    assert mailer.get("/admin/requests").json()["requests"][0]["outcome"] == "held"
    assert send(mailer, "k1").status_code == 200, "a repeat of a held send is replayed at once"
    mailer.post("/admin/release", json={"to": EMAIL["to"]})
    held.join(5)
    assert answers == [200] and len(outbox(mailer)) == 1


def test_hold_repeats_holds_a_repeated_keys_answer_until_the_release(mailer) -> None:
    """The kill check's hold: no try of the email gets its 200 before the grader releases
    it, so a worker that gave up on the first answer cannot finish the email meanwhile."""
    mailer.post("/admin/rules", json={"to": EMAIL["to"], "hold": True, "hold_repeats": True})
    answers: list[int] = []
    tries = [threading.Thread(target=lambda: answers.append(send(mailer, "k1").status_code))
             for _ in range(2)]
    for thread in tries:
        thread.start()
        thread.join(1.0)
    assert all(thread.is_alive() for thread in tries) and answers == []
    calls = mailer.get("/admin/requests").json()["requests"]
    assert [(call["outcome"], call["replayed"]) for call in calls] == [
        ("held", False), ("held", True)]
    assert len(outbox(mailer)) == 1
    mailer.post("/admin/release", json={"to": EMAIL["to"]})
    for thread in tries:
        thread.join(5)
    assert answers == [200, 200] and len(outbox(mailer)) == 1
    assert send(mailer, "k1").status_code == 200, "released: a repeat is answered at once"


@pytest.mark.parametrize(("headers", "body", "words"), [
    ({}, EMAIL, "Idempotency-Key"),
    ({"Idempotency-Key": "k"}, {**EMAIL, "to": "nobody"}, "email address"),
    ({"Idempotency-Key": "k"}, {**EMAIL, "body": 7}, "strings"),
])
def test_a_send_that_breaks_the_contract_is_a_400(mailer, headers, body, words: str) -> None:
    response = mailer.post("/send", json=body, headers=headers)
    assert response.status_code == 400 and words in response.json()["detail"]
    assert outbox(mailer) == []


def test_a_bad_rule_is_a_400_naming_it(mailer) -> None:
    bad = mailer.post("/admin/rules", json={"to": EMAIL["to"], "fial": 503})
    assert bad.status_code == 400 and "fial" in bad.json()["detail"]
