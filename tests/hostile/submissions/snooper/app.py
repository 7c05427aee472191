"""Looks everywhere it can for the grader's secrets: the paths and prefix in targets.json,
its environment, every process's environment and command line, the files it can read, the
Docker socket. Prints what it found (the tests assert that is nothing), then serves."""

import contextlib
import json
import os
import pathlib
import socket

import honest

targets = json.loads(pathlib.Path("targets.json").read_text())
prefix = targets["reversed_prefix"][::-1].encode()  # so this file does not match
found = []
searched = 0


def look(name, data):
    global searched
    searched += 1
    if prefix in data:
        found.append(f"{name}: {data[data.index(prefix):][:80]!r}")


look("environ", repr(dict(os.environ)).encode())
for proc in pathlib.Path("/proc").glob("[0-9]*"):
    for part in ("environ", "cmdline"):
        with contextlib.suppress(OSError):
            look(f"{proc}/{part}", (proc / part).read_bytes())
for root in [*targets["paths"], "/"]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if folder != "/" or d not in ("proc", "sys", "dev", "usr")]
        for name in files:
            path = pathlib.Path(folder, name)
            if not path.is_file():  # a FIFO would block the read
                continue
            with contextlib.suppress(OSError), path.open("rb") as file:
                look(str(path), file.read(65536))
for path in targets["paths"]:
    print(f"host path {path}: {'present' if os.path.exists(path) else 'absent'}", flush=True)
for sock_path in ("/var/run/docker.sock", "/run/docker.sock"):
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(sock_path)
            found.append(f"docker socket {sock_path} OPEN")
    except OSError as exc:
        print(f"docker socket {sock_path}: {exc.__class__.__name__}", flush=True)
print(f"searched {searched} places; found {len(found)}", flush=True)
for each in found:
    print("FOUND", each, flush=True)
honest.serve()
