"""A stub service of the lab, started beside the learner's app: `python3 services/salutations.py`.

It answers the salutation greetings start with. Written with labs/stubkit.py (the sandbox
puts it beside this file), so the checks can break it through its fault knobs, e.g.
POST /admin/faults {"action": "salutation", "down": 1}, and read the calls it received.
"""

from stubkit import Stub

SALUTATION = "Welcome"
stub = Stub("salutations")


@stub.route("GET", "/salutation", action="salutation")
def salutation(call):
    return 200, {"salutation": SALUTATION}


if __name__ == "__main__":
    stub.serve()
