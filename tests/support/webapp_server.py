"""A Flask app served over real HTTP on a free 127.0.0.1 port, for tests that drive Chromium.

A browser needs a socket, which Flask's test client does not have; werkzeug's threaded
server on a daemon thread is enough, and it is shut down when the block ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` for the block; yields its base URL, e.g. http://127.0.0.1:40123."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
