"""Serves honestly, but GET /sum hoards memory until the service is killed."""

import honest


class Hoarder(honest.Handler):
    def do_GET(self):
        if self.path.startswith("/sum"):
            hoard = []
            while True:
                hoard.append(b"x" * (8 * 1024 * 1024))
        super().do_GET()


honest.serve(Hoarder)
