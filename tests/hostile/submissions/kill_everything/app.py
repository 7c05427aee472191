"""SIGKILLs PID 1 and then every process it may signal (kill -9 -1), then serves."""

import os
import signal

import honest

for target in (1, -1):
    try:
        os.kill(target, signal.SIGKILL)
        print(f"kill -9 {target}: sent", flush=True)
    except OSError as exc:
        print(f"kill -9 {target}: {exc.strerror}", flush=True)
honest.serve()
