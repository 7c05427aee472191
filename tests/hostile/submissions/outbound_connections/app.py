"""Tries every address in targets.json (internet, host, metadata), prints what happened,
then serves honestly so the grade goes on."""

import json
import pathlib
import socket
import threading

import honest


def own_gateway():
    """The session network's gateway: this container's address ending in .1."""
    return socket.gethostbyname(socket.gethostname()).rsplit(".", 1)[0] + ".1"


def attempt(name, host, port, outcomes):
    host = own_gateway() if host == "own-gateway" else host
    try:
        with socket.create_connection((host, port), timeout=2):
            outcomes[name] = "CONNECTED"
    except OSError as exc:
        outcomes[name] = f"blocked ({exc.__class__.__name__})"


outcomes = {}
attempts = [threading.Thread(target=attempt, args=(name, host, port, outcomes))
            for name, (host, port) in json.loads(pathlib.Path("targets.json").read_text()).items()]
for each in attempts:
    each.start()
for each in attempts:
    each.join()
for name, outcome in sorted(outcomes.items()):
    print(f"outbound {name}: {outcome}", flush=True)
honest.serve()
