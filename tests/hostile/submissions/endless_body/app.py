"""Answers every request 200 with a body that never ends."""

import honest


class Endless(honest.Handler):
    protocol_version = "HTTP/1.0"  # no Content-Length: the body runs until the socket closes

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        while True:
            self.wfile.write(b"A" * 65536)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


honest.serve(Endless)
