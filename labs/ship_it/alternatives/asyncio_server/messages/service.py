"""What each path does, against PostgreSQL through psycopg's asyncio connections."""

import os

import psycopg


class Service:
    def __init__(self, environ=os.environ):
        self.url = environ["DATABASE_URL"]
        self.release = environ["RELEASE"]
        self.limit = int(environ["MAX_MESSAGE_LENGTH"])
        self.stopping = False

    async def query(self, *statements):
        async with await psycopg.AsyncConnection.connect(self.url, connect_timeout=2,
                                                         autocommit=True) as conn:
            await conn.execute("CREATE TABLE IF NOT EXISTS messages "
                               "(id bigserial PRIMARY KEY, text text NOT NULL)")
            rows = []
            for sql, params in statements:
                cursor = await conn.execute(sql, params)
                rows = await cursor.fetchall() if cursor.description else []
            return rows

    async def route(self, request):
        handler = {("GET", "/healthz"): self.healthz, ("GET", "/readyz"): self.readyz,
                   ("GET", "/version"): self.version, ("GET", "/messages"): self.listing,
                   ("POST", "/messages"): self.post, ("GET", "/report"): self.report,
                   }.get((request.method, request.path))
        if handler is None:
            return 404, {"error": f"no {request.method} {request.path}"}
        try:
            return await handler(request)
        except psycopg.OperationalError as exc:
            return 503, {"error": "database unavailable", "detail": str(exc)[:200]}

    async def healthz(self, request):
        return 200, {"status": "alive"}

    async def readyz(self, request):
        if self.stopping:
            return 503, {"status": "stopping"}
        await self.query(("SELECT 1", None))
        return 200, {"status": "ready"}

    async def version(self, request):
        return 200, {"release": self.release}

    async def listing(self, request):
        rows = await self.query(("SELECT id, text FROM messages ORDER BY id", None))
        return 200, {"messages": [{"id": id_, "text": text} for id_, text in rows]}

    async def post(self, request):
        body = request.json()
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > self.limit:
            return 422, {"error": f"text must have 1 to {self.limit} characters"}
        rows = await self.query(("INSERT INTO messages (text) VALUES (%s) RETURNING id",
                                 (text,)))
        return 201, {"id": rows[0][0], "text": text}

    async def report(self, request):
        try:
            seconds = float(request.query.get("seconds", ""))
        except ValueError:
            seconds = -1
        if not 0 < seconds <= 10:
            return 422, {"error": "seconds must be in (0, 10]"}
        rows = await self.query(("SELECT pg_sleep(%s)", (seconds,)),
                                ("SELECT count(*) FROM messages", None))
        return 200, {"messages": rows[0][0]}
