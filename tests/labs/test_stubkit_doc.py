"""The stub example of docs/authoring.md ("Stub services") runs as shown, beside stubkit,
on the standard library alone, and does what the page says a stub gets."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from labs import reference
from labs.topology import STUBKIT

EXAMPLE = re.compile(r"<!-- stub example: [^>]*-->\n```python\n(?P<code>.*?)```", re.S)


@pytest.fixture
def payments(tmp_path: Path) -> Iterator[httpx.Client]:
    found = EXAMPLE.search(reference.DOC.read_text(encoding="utf-8"))
    assert found, "docs/authoring.md lost its stub example"
    services = tmp_path / "services"
    services.mkdir()
    (services / "payments.py").write_text(found["code"], encoding="utf-8")
    (services / "stubkit.py").write_bytes(STUBKIT.read_bytes())   # as the sandbox does
    process = subprocess.Popen(
        [sys.executable, "-S", "-E", "services/payments.py"], cwd=tmp_path,
        env={"HOST": "127.0.0.1", "PORT": "0", "PAYMENTS_LATENCY_MS": "50"},
        stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().split()[-1])   # "payments listening on port N"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_the_documented_stub_charges_fails_on_a_knob_and_records_calls(payments) -> None:
    assert payments.get("/health").json() == {"status": "ok"}
    order = {"order_id": "o1", "amount_cents": 700}
    assert payments.post("/charges", json=order).status_code == 201
    assert payments.post("/charges", json={"order_id": "o2"}).json()["detail"] == \
        "amount_cents must be a positive integer"
    payments.post("/admin/faults", json={"action": "charge", "fail_next": 1})
    assert payments.post("/charges", json=order).status_code == 503
    assert payments.get("/admin/charges").json() == {"charges": [order]}
    calls = payments.get("/admin/requests").json()["requests"]
    assert [(c["order_id"], c["outcome"]) for c in calls] == [("o1", 201), ("o2", 400),
                                                              ("o1", 503)]
    assert payments.get("/admin/faults").json()["charge"]["latency_ms"] == 50
