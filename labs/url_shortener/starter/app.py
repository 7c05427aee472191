"""A URL shortener to finish: `python3 app.py` (README.md is the contract).

It runs, creates links and refuses bad URLs, but keeps every link in this process's memory
(a restart loses them all), draws codes from a tiny space without checking them, and has
neither a redirect nor click counting yet. Keep the links in PostgreSQL (DATABASE_URL), add
GET /{code} and GET /links/{code}/stats, and write estimates.json.
"""

import os
import random
import string
import threading
from urllib.parse import urlsplit

from flask import Flask, jsonify, request

app = Flask(__name__)
LINKS = {}  # code -> url: gone when the process stops


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/links")
def shorten():
    body = request.get_json(silent=True)
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") \
            or not urlsplit(url).netloc or len(url) > 2048:
        return jsonify(error="send {\"url\": \"https://...\"}"), 400
    code = "".join(random.choice(string.ascii_letters) for _ in range(2))
    LINKS[code] = url
    return jsonify(code=code), 201, {"Location": f"/{code}"}


# TODO: GET /<code> redirects (302 or 307) and counts the click; 404 when unknown.
# TODO: GET /links/<code>/stats answers {"code", "url", "clicks"}.


if __name__ == "__main__":
    threading.stack_size(512 * 1024)  # a thread per connection: see README.md, "Limits"
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
