"""Floods stdout and stderr with long lines for ever while serving honestly."""

import sys
import threading

import honest


def flood(stream, text):
    line = (text * 200)[:4000] + "\n"
    while True:
        stream.write(line)


threading.Thread(target=flood, args=(sys.stdout, "out-flood "), daemon=True).start()
threading.Thread(target=flood, args=(sys.stderr, "err-flood "), daemon=True).start()
honest.serve()
