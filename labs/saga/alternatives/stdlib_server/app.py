"""Order service on the standard library's HTTP server, with the saga as a state machine.

An independent answer to the saga lab: no Flask, calls made with http.client, one table
whose `steps` column (jsonb) holds the saga log of the order, and a fixed set of worker
threads fed by a queue. The order's status says what to do next; every state change is
written to PostgreSQL before the next call, so a restarted process resumes from the status.
"""

import functools
import http.client
import json
import os
import queue
import random
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

CALL_TIMEOUT_S = 0.8
FINAL = {"COMPLETED", "REJECTED", "CANCELLED"}
WORKERS = 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_orders (
    id text PRIMARY KEY,
    customer_id text NOT NULL,
    items jsonb NOT NULL,
    total_cents bigint NOT NULL,
    status text NOT NULL,
    steps jsonb NOT NULL DEFAULT '[]',
    created_at text NOT NULL
)
"""


def now():
    return datetime.now(UTC).isoformat()


def database():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def load(order_id):
    with database() as conn:
        return conn.execute("SELECT * FROM saga_orders WHERE id = %s", (order_id,)).fetchone()


def save(order):
    with database() as conn:
        conn.execute("UPDATE saga_orders SET status = %s, steps = %s WHERE id = %s",
                     (order["status"], Jsonb(order["steps"]), order["id"]))


def public(order):
    return {key: order[key] for key in ("id", "status", "customer_id", "items", "total_cents",
                                        "created_at", "steps")}


# --- calls to the participants ---------------------------------------------------------

class Unknown(Exception):
    """No definite answer: timeout, dropped connection, refused connection, 5xx."""


def post(base_url, path, body, key=None):
    """The status of a definite answer (2xx or 4xx); Unknown otherwise."""
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=CALL_TIMEOUT_S)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    try:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        raise Unknown(f"POST {path}: {error!r}") from error
    finally:
        conn.close()
    if response.status >= 500:
        raise Unknown(f"POST {path}: {response.status}")
    return response.status


def until_definite(call):
    """Repeat `call` until it gives a definite answer; True for 2xx, False for 4xx."""
    pause = 0.05
    while True:
        try:
            return call() < 300
        except Unknown:
            time.sleep(random.uniform(pause / 2, pause))
            pause = min(1.0, pause * 2)


def until_done(call):
    """Compensations: repeat until the answer is a success, whatever it says meanwhile."""
    while not until_definite(call):
        time.sleep(0.2)
    return True


def lines(order):
    return [{"sku": item["sku"], "qty": item["qty"]} for item in order["items"]]


def actions():
    inventory, payment = os.environ["INVENTORY_URL"], os.environ["PAYMENT_URL"]
    shipping = os.environ["SHIPPING_URL"]
    return {
        "reserve": lambda o: post(inventory, "/reservations",
                                  {"order_id": o["id"], "items": lines(o)}),
        "charge": lambda o: post(payment, "/charges",
                                 {"order_id": o["id"], "amount_cents": o["total_cents"]},
                                 key=f"{o['id']}:charge"),
        "ship": lambda o: post(shipping, "/shipments", {"order_id": o["id"], "items": lines(o)}),
        "refund": lambda o: post(payment, "/refunds", {"order_id": o["id"]},
                                 key=f"{o['id']}:refund"),
        "release": lambda o: post(inventory, f"/reservations/{o['id']}/release", {}),
    }


# --- the saga as a state machine -----------------------------------------------------------

# status -> (step to run, status when it says yes, status when it says no)
FORWARD = {
    "PENDING": ("reserve", "RESERVED", "REJECTED"),
    "RESERVED": ("charge", "PAID", "UNDO_RESERVE"),
    "PAID": ("ship", "COMPLETED", "UNDO_CHARGE"),
}
# compensating status -> (compensation, status after it)
BACKWARD = {
    "UNDO_CHARGE": ("refund", "UNDO_RESERVE"),
    "UNDO_RESERVE": ("release", "CANCELLED"),
}


def step_entry(order, name):
    for step in order["steps"]:
        if step["name"] == name:
            return step
    step = {"name": name, "status": "running", "started_at": now(), "finished_at": None}
    order["steps"].append(step)
    return step


def run_saga(order_id, call):
    order = load(order_id)
    while order is not None and order["status"] not in FINAL:
        status = order["status"]
        if status in FORWARD:
            name, yes, no = FORWARD[status]
            compensation = False
        else:
            name, yes = BACKWARD[status]
            no, compensation = None, True
        step = step_entry(order, name)
        save(order)                                   # the step starts: on record first
        worked = (until_done if compensation else until_definite)(
            functools.partial(call[name], order))
        step.update(status="succeeded" if worked else "failed", finished_at=now())
        order["status"] = yes if worked else no
        save(order)


def worker(jobs, call):
    while True:
        order_id = jobs.get()
        try:
            run_saga(order_id, call)
        except Exception as error:   # the order stays unfinished; the next start resumes it
            print(f"saga of {order_id} stopped: {error!r}", flush=True)


# --- HTTP ----------------------------------------------------------------------------------

def whole(value, least):
    return type(value) is int and value >= least


def parse_order(body):
    if not isinstance(body, dict):
        return None
    customer, items = body.get("customer_id"), body.get("items")
    if not isinstance(customer, str) or not customer or not isinstance(items, list) or not items:
        return None
    clean = []
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("sku"), str) and item["sku"]
                and whole(item.get("qty"), 1) and whole(item.get("unit_price_cents"), 0)):
            return None
        clean.append({"sku": item["sku"], "qty": item["qty"],
                      "unit_price_cents": item["unit_price_cents"]})
    return customer, clean


class Handler(BaseHTTPRequestHandler):
    jobs = None

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/healthz":
            with database() as conn:
                conn.execute("SELECT 1")
            self.reply(200, {"status": "ok"})
            return
        match = re.fullmatch(r"/orders/([^/]+)", path)
        order = load(match.group(1)) if match else None
        if order is None:
            self.reply(404, {"error": "not found"})
        else:
            self.reply(200, public(order))

    def do_POST(self):
        if urlsplit(self.path).path != "/orders":
            self.reply(404, {"error": "not found"})
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            parsed = parse_order(json.loads(raw))
        except ValueError:
            parsed = None
        if parsed is None:
            self.reply(400, {"error": "invalid order"})
            return
        customer, items = parsed
        order = {"id": str(uuid.uuid4()), "status": "PENDING", "customer_id": customer,
                 "items": items, "created_at": now(), "steps": [],
                 "total_cents": sum(i["qty"] * i["unit_price_cents"] for i in items)}
        with database() as conn:
            conn.execute("INSERT INTO saga_orders (id, customer_id, items, total_cents, status,"
                         " steps, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (order["id"], customer, Jsonb(items), order["total_cents"],
                          "PENDING", Jsonb([]), order["created_at"]))
        self.jobs.put(order["id"])
        self.reply(202, order, [("Location", f"/orders/{order['id']}")])

    def log_message(self, format, *args):
        pass


def main():
    with database() as conn:
        conn.execute(SCHEMA)
        unfinished = [row["id"] for row in conn.execute(
            "SELECT id FROM saga_orders WHERE status <> ALL(%s) ORDER BY created_at",
            (list(FINAL),))]
    jobs = queue.Queue()
    call = actions()
    for _ in range(WORKERS):
        threading.Thread(target=worker, args=(jobs, call), daemon=True).start()
    for order_id in unfinished:
        jobs.put(order_id)
    Handler.jobs = jobs
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler)  # noqa: S104 - inside the sandbox
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
