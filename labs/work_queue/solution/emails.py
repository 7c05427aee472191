"""The emails' records in Redis and the queue they wait in.

An email is a hash `email:{id}` (to, subject, body, status, error) plus an entry on the
stream; both are written in one MULTI/EXEC, so no email is queued without a record or
recorded without being queued.
"""

import uuid

from queue_config import GROUP, STREAM

QUEUED, DONE, FAILED = "queued", "done", "failed"


class BacklogFull(Exception):
    """As many emails wait as the backlog may hold: the caller should come back later."""


def record_key(email_id):
    return f"email:{email_id}"


def validation_problem(body):
    """Why a POST /emails body is refused, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    to = body.get("to")
    if not isinstance(to, str) or to.count("@") != 1 or not all(to.split("@")):
        return "to must be an email address (name@domain)"
    if not isinstance(body.get("subject"), str) or not body["subject"].strip():
        return "subject must be a non-empty string"
    if not isinstance(body.get("body"), str):
        return "body must be a string"
    return None


class Emails:
    def __init__(self, client, backlog_limit):
        self.client = client
        self.backlog_limit = backlog_limit

    def backlog(self):
        """Emails accepted and not finished: not yet delivered (the group's lag) plus
        delivered and not acknowledged (its pending entries)."""
        group = next((g for g in self.client.xinfo_groups(STREAM) if g["name"] == GROUP), None)
        if group is None:
            return self.client.xlen(STREAM)
        lag = group.get("lag")
        if lag is None:  # Redis cannot tell (entries deleted): count what is after the group
            lag = len(self.client.xrange(STREAM, f"({group['last-delivered-id']}", "+",
                                         count=self.backlog_limit + 1))
        return group["pending"] + lag

    def submit(self, email):
        if self.backlog() >= self.backlog_limit:
            raise BacklogFull(f"{self.backlog_limit} emails are waiting to be sent")
        email_id = uuid.uuid4().hex
        fields = {"id": email_id, "to": email["to"], "subject": email["subject"],
                  "body": email["body"]}
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(record_key(email_id), mapping={**fields, "status": QUEUED})
            pipe.xadd(STREAM, fields)
            pipe.execute()
        return email_id

    def get(self, email_id):
        record = self.client.hgetall(record_key(email_id))
        if not record:
            return None
        shown = {"id": email_id, "status": record["status"], "to": record["to"],
                 "subject": record["subject"]}
        if record.get("error"):
            shown["error"] = record["error"]
        return shown

    def status(self, email_id):
        return self.client.hget(record_key(email_id), "status")

    def finish(self, email_id, status, error=""):
        self.client.hset(record_key(email_id), mapping={"status": status, "error": error})
