"""The Order service of the saga lab: accepts orders and runs each as an orchestrated saga.

Run with `python3 app.py`; it listens on $PORT, keeps its saga log in the PostgreSQL
database at $DATABASE_URL and calls the services at $INVENTORY_URL, $PAYMENT_URL and
$SHIPPING_URL. At start-up it resumes every order a previous run left unfinished.
"""

import logging
import os

import orders
from db import connection, create_schema
from flask import Flask, jsonify, request
from participants import Participants
from saga import Orchestrator


def create_app(orchestrator: Orchestrator) -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        with connection() as conn:
            conn.execute("SELECT 1")
        return {"status": "ok"}

    @app.post("/orders")
    def place_order():
        try:
            fields = orders.parse_order(request.get_json(silent=True))
        except orders.InvalidOrder as problem:
            return {"error": "invalid_order", "detail": str(problem)}, 400
        order = orders.create_order(fields)
        orchestrator.submit(order["id"])
        return orders.as_json(order), 202, {"Location": f"/orders/{order['id']}"}

    @app.get("/orders/<order_id>")
    def show_order(order_id: str):
        order = orders.load_order(order_id)
        if order is None:
            return {"error": "not_found"}, 404
        return jsonify(orders.as_json(order))

    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call drowns the log
    create_schema()
    saga_runner = Orchestrator(Participants.from_env())
    saga_runner.resume_unfinished()
    create_app(saga_runner).run(host=os.environ.get("HOST", "0.0.0.0"),
                                port=int(os.environ.get("PORT", "8000")), threaded=True)
