"""A key-value store spread over PostgreSQL shards by consistent hashing.

Run with `python3 app.py`; it listens on $PORT, stores records on the shards named in
$SHARD_URLS ("shard0=postgresql://...,shard1=...") and can add the shards of
$SPARE_SHARD_URLS later through POST /admin/shards, moving keys while it serves.
"""

import logging
import os

from flask import Flask, request
from rebalance import Rebalancer
from records import InvalidRecord, parse_page, parse_record
from router import Router
from shard import Shard, ShardUnavailable


def named_urls(variable: str) -> dict[str, str]:
    """"a=url1,b=url2" from the environment as {"a": "url1", "b": "url2"}."""
    pairs = [item.partition("=") for item in os.environ.get(variable, "").split(",") if item]
    return {name.strip(): url.strip() for name, _, url in pairs}


def create_app(router: Router, rebalancer: Rebalancer) -> Flask:
    app = Flask(__name__)

    @app.errorhandler(ShardUnavailable)
    def shard_unavailable(error):
        return {"error": "shard_unavailable", "shard": error.name}, 503

    @app.errorhandler(InvalidRecord)
    def invalid(error):
        return {"error": "invalid_request", "detail": str(error)}, 400

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.put("/records/<key>")
    def put_record(key: str):
        record = parse_record(key, request.get_json(silent=True))
        router.put(record)
        return record

    @app.get("/records/<key>")
    def get_record(key: str):
        record = router.get(key)
        if record is None:
            return {"error": "not_found"}, 404
        return record

    @app.get("/records")
    def list_records():
        owner, limit, offset = parse_page(request.args)
        records, total = router.list_by_owner(owner, limit, offset)
        return {"records": records, "total": total}

    @app.get("/admin/shards")
    def list_shards():
        current, _ = router.rings
        return {"shards": list(current.shard_names), "spares": sorted(router.spares)}

    @app.post("/admin/shards")
    def add_shard():
        name = (request.get_json(silent=True) or {}).get("name")
        if name not in router.spares:
            return {"error": "unknown_shard", "detail": f"{name!r} is not a spare shard"}, 400
        try:
            return rebalancer.add_shard(name), 202
        except RuntimeError as busy:
            return {"error": "busy", "detail": str(busy)}, 409

    @app.get("/admin/rebalance")
    def rebalance_status():
        return dict(rebalancer.status)

    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # one line per request
    shards = {name: Shard(name, url) for name, url in named_urls("SHARD_URLS").items()}
    for shard in shards.values():
        shard.create_schema()
    router = Router(shards, named_urls("SPARE_SHARD_URLS"))
    create_app(router, Rebalancer(router)).run(host=os.environ.get("HOST", "0.0.0.0"),
                                               port=int(os.environ.get("PORT", "8000")),
                                               threaded=True)


if __name__ == "__main__":
    main()
