"""Serves honestly, but GET /sum spins the CPU for ever instead of answering."""

import honest


class Spinner(honest.Handler):
    def do_GET(self):
        while self.path.startswith("/sum"):
            pass
        super().do_GET()


honest.serve(Spinner)
