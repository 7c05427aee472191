"""The shop on the standard library's HTTP server: one thread per connection, JSON by hand.

Cursors are "<created_at>~<id>" in URL-safe base64; a page asks one row more than its limit
to know whether another page follows.
"""

import base64
import json
import os
import re
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from store import Refused, Store

store = Store(os.environ["DATABASE_URL"])


def dumps(value):
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else v)


def cursor_for(order):
    raw = f"{order['created_at'].isoformat()}~{order['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def cursor_key(text):
    try:
        stamp, _, order_id = base64.urlsafe_b64decode(text.encode()).decode().partition("~")
        return datetime.fromisoformat(stamp), int(order_id)
    except ValueError:
        raise Refused(400, "bad cursor") from None


def number(body, name, least):
    value = body.get(name)
    if type(value) is not int or value < least:
        raise Refused(400, f"{name}: an integer >= {least} please")
    return value


def words(body, name):
    value = body.get(name)
    if type(value) is not str or not value:
        raise Refused(400, f"{name}: a non-empty string please")
    return value


def found(row, what):
    if row is None:
        raise Refused(404, f"{what} not found")
    return row


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections when 100 buyers arrive at once


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, document):
        payload = dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            document = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise Refused(400, "a JSON object please")
        return document

    def route(self, method):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        for pattern, verb, action in ROUTES:
            match = re.fullmatch(pattern, url.path)
            if match and verb == method:
                ids = [int(part) for part in match.groups()]
                return action(self, *ids, query)
        raise Refused(404, "no such route")

    def handle_method(self, method):
        try:
            status, document = self.route(method)
        except Refused as refusal:
            status, document = refusal.status, {"error": str(refusal)}
        except Exception as error:  # the client gets an answer, the log the reason
            self.log_error("unexpected: %r", error)
            status, document = 500, {"error": "internal error"}
        self.answer(status, document)

    def do_GET(self):
        self.handle_method("GET")

    def do_POST(self):
        self.handle_method("POST")

    def do_PATCH(self):
        self.handle_method("PATCH")


def healthz(handler, query):
    return 200, {"ok": True}


def post_user(handler, query):
    body = handler.body()
    email = words(body, "email")
    if "@" not in email:
        raise Refused(400, "email needs an @")
    return 201, store.add_user(email, words(body, "name"))


def get_user(handler, user_id, query):
    return 200, found(store.user(user_id), "user")


def post_product(handler, query):
    body = handler.body()
    return 201, store.add_product(words(body, "name"), number(body, "price_cents", 0),
                                  number(body, "stock", 0))


def get_product(handler, product_id, query):
    return 200, found(store.product(product_id), "product")


def patch_product(handler, product_id, query):
    body = handler.body()
    fields = {name: number(body, name, 0) for name in ("price_cents", "stock") if name in body}
    if "name" in body:
        fields["name"] = words(body, "name")
    return 200, found(store.change_product(product_id, fields), "product")


def post_order(handler, query):
    body = handler.body()
    return 201, store.buy(number(body, "user_id", 1), number(body, "product_id", 1),
                          number(body, "quantity", 1))


def get_order(handler, order_id, query):
    return 200, found(store.order(order_id), "order")


def user_orders(handler, user_id, query):
    found(store.user(user_id), "user")
    limit = query.get("limit", "20")
    if not limit.isdigit() or int(limit) < 1:
        raise Refused(400, "limit: a positive integer please")
    limit = min(int(limit), 100)
    before = cursor_key(query["cursor"]) if query.get("cursor") else None
    rows = store.orders_of(user_id, limit + 1, before)
    page = rows[:limit]
    return 200, {"items": page, "next_cursor": cursor_for(page[-1]) if len(rows) > limit else None}


ROUTES = [
    (r"/healthz", "GET", healthz),
    (r"/users", "POST", post_user),
    (r"/users/(\d+)", "GET", get_user),
    (r"/users/(\d+)/orders", "GET", user_orders),
    (r"/products", "POST", post_product),
    (r"/products/(\d+)", "GET", get_product),
    (r"/products/(\d+)", "PATCH", patch_product),
    (r"/orders", "POST", post_order),
    (r"/orders/(\d+)", "GET", get_order),
]


if __name__ == "__main__":
    threading.stack_size(512 * 1024)  # 100 buyers, 100 threads: 8 MB stacks would not fit
    store.migrate()
    Server((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
