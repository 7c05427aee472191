"""The messages service: `python3 app.py`, configured only by its environment.

On SIGTERM it stops accepting connections, lets the requests in flight finish, and exits 0.
Kubernetes' preStop hook (k8s/deployment.yaml) holds the SIGTERM back for a few seconds, so
the endpoints controller takes the pod out of rotation before the server stops listening.
"""

import logging
import os
import signal
import sys
import threading

from routes import create_app
from settings import Settings, SettingsError
from store import Store
from werkzeug.serving import make_server


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        logging.error("cannot start: %s", exc)
        return 2
    draining = threading.Event()
    server = make_server(settings.host, settings.port,
                         create_app(settings, Store(settings.database_url), draining),
                         threaded=True)
    server.daemon_threads = False  # server_close() waits for the requests in flight

    def on_sigterm(signum, frame):
        logging.info("SIGTERM: finishing the requests in flight")
        draining.set()
        threading.Thread(target=server.shutdown).start()  # serve_forever() returns

    signal.signal(signal.SIGTERM, on_sigterm)
    logging.info("release %s listening on %s:%s", settings.release, settings.host,
                 settings.port)
    server.serve_forever()
    server.server_close()
    logging.info("stopped cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
