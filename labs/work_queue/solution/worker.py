"""The worker: `python3 worker.py`. Sends the queued emails, one message at a time.

It reads the stream `emails` as a consumer of the group `mailers`: first it claims what
other consumers left pending for CLAIM_IDLE_MS (a worker that died, or a try that failed),
then it reads new messages. A message is acknowledged only after its email is finished
(sent, or dead-lettered after MAX_TRIES tries), so a worker killed at any moment loses
nothing: the message is delivered again and the mailer's Idempotency-Key keeps the email
from going out twice.
"""

import logging
import os
import socket
import time

import redis
from emails import DONE, FAILED, Emails
from mailer import Mailer, SendFailed
from queue_config import (
    BLOCK_MS,
    DEAD_LETTERS,
    GROUP,
    STREAM,
    WORKER_TIMEOUT_S,
    Config,
    connect,
    ensure_group,
)

log = logging.getLogger("worker")
PAUSE_AFTER_ERROR_S = 0.5


class Worker:
    def __init__(self, config, client, mailer):
        self.config = config
        self.client = client
        self.emails = Emails(client, config.backlog_limit)
        self.mailer = mailer
        self.name = f"{socket.gethostname()}-{os.getpid()}"

    def run_forever(self):
        while True:
            try:
                ensure_group(self.client)
                while True:
                    self.step()
            except redis.RedisError as error:  # Redis down or slow: wait, then go on
                log.warning("redis: %s", error)
                time.sleep(PAUSE_AFTER_ERROR_S)

    def step(self):
        for message_id, fields in self.claim_stale():
            self.handle(message_id, fields)
        for message_id, fields in self.read_new():
            self.handle(message_id, fields)

    def claim_stale(self):
        """Messages pending with any consumer for longer than CLAIM_IDLE_MS."""
        _next, messages, *_deleted = self.client.xautoclaim(
            STREAM, GROUP, self.name, min_idle_time=self.config.claim_idle_ms, count=10)
        return [(message_id, fields) for message_id, fields in messages if fields]

    def read_new(self):
        batches = self.client.xreadgroup(GROUP, self.name, {STREAM: ">"}, count=10,
                                         block=BLOCK_MS)
        return [message for _stream, messages in batches or [] for message in messages]

    def tries(self, message_id):
        """How often the message was delivered: this try's number."""
        pending = self.client.xpending_range(STREAM, GROUP, message_id, message_id, 1)
        return pending[0]["times_delivered"] if pending else 1

    def handle(self, message_id, fields):
        email_id = fields.get("id")
        tries = self.tries(message_id)
        if not email_id:
            self.dead_letter(message_id, fields, tries, "the message has no id")
            return
        if self.emails.status(email_id) in (DONE, FAILED):  # a duplicate delivery
            self.client.xack(STREAM, GROUP, message_id)
            return
        try:
            self.mailer.send(email_id, fields)
        except SendFailed as failure:
            log.info("email %s, try %d of %d: %s", email_id, tries, self.config.max_tries,
                     failure)
            if tries >= self.config.max_tries:
                self.dead_letter(message_id, fields, tries, str(failure))
            return  # left pending: claimed again after CLAIM_IDLE_MS
        self.emails.finish(email_id, DONE)
        self.client.xack(STREAM, GROUP, message_id)

    def dead_letter(self, message_id, fields, tries, error):
        log.warning("email %s dead-lettered after %d tries: %s", fields.get("id"), tries, error)
        self.client.xadd(DEAD_LETTERS, {**fields, "tries": tries, "error": error})
        if fields.get("id"):
            self.emails.finish(fields["id"], FAILED, error)
        self.client.xack(STREAM, GROUP, message_id)


def main():
    logging.basicConfig(level=logging.INFO, format="worker %(levelname)s %(message)s")
    config = Config.from_env()
    worker = Worker(config, connect(config.redis_url, WORKER_TIMEOUT_S),
                    Mailer(config.mailer_url))
    log.info("consumer %s reading %s as %s", worker.name, STREAM, GROUP)
    worker.run_forever()


if __name__ == "__main__":
    main()
