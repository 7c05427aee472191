"""Writes bytes that are not UTF-8, NUL, terminal escapes and a script tag to its log, and
answers /echo with the same bytes, to attack whatever displays them."""

import sys

import honest

NASTY = (b"bad utf-8 \xff\xfe\xc3( nul \x00 ansi \x1b[2J\x1b[31mRED\x1b[0m "
         b"<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">\n")
sys.stdout.buffer.write(NASTY)
sys.stdout.flush()
sys.stderr.buffer.write(NASTY)
sys.stderr.flush()


class Nasty(honest.Handler):
    def do_POST(self):
        if self.path == "/echo":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send(200, NASTY, "text/html")
            return
        super().do_POST()


honest.serve(Nasty)
