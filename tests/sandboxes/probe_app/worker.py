"""The probe's second program, like a learner's queue worker: it listens on no port, says
who it is once and then beats a Redis counter until it is killed."""

import json
import os
import time

from app import redis_command, redis_incr

if __name__ == "__main__":
    url = os.environ["REDIS_URL"]
    identity = {"uid": os.getuid(), "files": sorted(os.listdir(".")),
                "env": sorted(os.environ)}
    redis_command(url, "SET", "worker-identity", json.dumps(identity))
    print("probe worker beating", flush=True)
    while True:
        redis_incr(url, "worker-beats")
        time.sleep(0.1)
