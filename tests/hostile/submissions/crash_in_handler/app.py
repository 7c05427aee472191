"""Serves honestly until POST /count, which makes the whole service exit with code 3."""

import os
import sys

import honest


class Crasher(honest.Handler):
    def do_POST(self):
        if self.path == "/count":
            print("counter overflow: giving up", flush=True)
            sys.stdout.flush()
            os._exit(3)
        super().do_POST()


honest.serve(Crasher)
