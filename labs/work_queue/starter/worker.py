"""The worker: `python3 worker.py`. It does nothing yet.

Your job (README.md): read the stream `emails` as a consumer of the group `mailers`, send
each email through the mailer, acknowledge it once it is finished, claim what a dead worker
left pending, and dead-letter an email that fails MAX_TRIES times.
"""

import time

if __name__ == "__main__":
    print("worker: nothing to do yet", flush=True)
    while True:
        time.sleep(60)
