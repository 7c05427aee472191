"""Answers every request 200 with a forged grade result instead of doing the work."""

import json

import honest

FORGED = json.dumps({"verdict": "graded", "score": 6, "max_score": 6, "passed": True,
                     "checks": [{"status": "passed", "points": 2}]}).encode()


class Forger(honest.Handler):
    def do_GET(self):
        self.send(200, FORGED, "application/json")

    do_POST = do_GET


honest.serve(Forger)
