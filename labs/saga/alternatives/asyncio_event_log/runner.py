"""Sagas run as asyncio tasks on one event loop in a background thread.

A semaphore is the bulkhead: at most CONCURRENT_SAGAS sagas call the services at once.
Calls go through httpx.AsyncClient with a 1 s timeout; the log is written with psycopg's
async connections. Flask's request threads hand orders over with `submit`.
"""

import asyncio
import logging
import os
import random
import threading

import httpx
import psycopg
from psycopg.rows import dict_row
from saga_log import next_step

CONCURRENT_SAGAS = 10
log = logging.getLogger("runner")


class Unknown(Exception):
    pass


class Runner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="sagas", daemon=True).start()
        self.gate = None
        self.http = None
        asyncio.run_coroutine_threadsafe(self._setup(), self.loop).result()

    async def _setup(self):
        self.gate = asyncio.Semaphore(CONCURRENT_SAGAS)
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(1.0))

    def submit(self, order_id):
        asyncio.run_coroutine_threadsafe(self.run(order_id), self.loop)

    async def run(self, order_id):
        async with self.gate:
            try:
                await self._run(order_id)
            except Exception:
                log.exception("saga %s stopped; it resumes at the next start", order_id)

    async def _run(self, order_id):
        async with await psycopg.AsyncConnection.connect(
                os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row) as db:
            order = await (await db.execute("SELECT body FROM placed_orders WHERE id = %s",
                                            (order_id,))).fetchone()
            body = order["body"]
            while True:
                events = await (await db.execute(
                    "SELECT step, event, at FROM saga_events WHERE order_id = %s ORDER BY seq",
                    (order_id,))).fetchall()
                step = next_step(events)
                if step is None:
                    return
                await self._record(db, order_id, step, "started")
                compensation = step in ("refund", "release")
                ok = await self._until_definite(step, order_id, body, compensation)
                await self._record(db, order_id, step, "succeeded" if ok else "failed")

    @staticmethod
    async def _record(db, order_id, step, event):
        await db.execute("INSERT INTO saga_events (order_id, step, event) VALUES (%s, %s, %s)",
                         (order_id, step, event))

    async def _until_definite(self, step, order_id, body, insist):
        delay = 0.05
        while True:
            try:
                ok = await self._call(step, order_id, body)
                if ok or not insist:
                    return ok
            except Unknown as unknown:
                log.info("%s of %s: %s", step, order_id, unknown)
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(1.0, delay * 2)

    async def _call(self, step, order_id, body):
        items = [{"sku": line["sku"], "qty": line["qty"]} for line in body["items"]]
        total = sum(line["qty"] * line["unit_price_cents"] for line in body["items"])
        inventory, payment = os.environ["INVENTORY_URL"], os.environ["PAYMENT_URL"]
        calls = {
            "reserve": (f"{inventory}/reservations", {"order_id": order_id, "items": items}, None),
            "release": (f"{inventory}/reservations/{order_id}/release", {}, None),
            "charge": (f"{payment}/charges", {"order_id": order_id, "amount_cents": total},
                       f"charge-{order_id}"),
            "refund": (f"{payment}/refunds", {"order_id": order_id}, f"refund-{order_id}"),
            "ship": (f"{os.environ['SHIPPING_URL']}/shipments",
                     {"order_id": order_id, "items": items}, None),
        }
        url, payload, key = calls[step]
        try:
            answer = await self.http.post(url, json=payload,
                                          headers={"Idempotency-Key": key} if key else {})
        except httpx.HTTPError as error:
            raise Unknown(type(error).__name__) from error
        if answer.status_code >= 500:
            raise Unknown(f"status {answer.status_code}")
        return answer.status_code < 300
