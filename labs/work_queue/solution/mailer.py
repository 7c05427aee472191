"""Sending one email through the mailer, with a key that makes repeats harmless.

Every try of one email sends the same Idempotency-Key, derived from the email's id (not from
the stream entry, which a duplicate delivery does not share, nor from the content, which two
different emails may share), so the mailer sends it once however often the worker tries.
"""

import requests

SEND_TIMEOUT_S = 10


class SendFailed(Exception):
    """This try did not send the email (an error answer, a timeout, no connection)."""


class Mailer:
    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def send(self, email_id, fields):
        body = {"to": fields.get("to"), "subject": fields.get("subject"),
                "body": fields.get("body")}
        try:
            answer = self.http.post(f"{self.url}/send", json=body, timeout=SEND_TIMEOUT_S,
                                    headers={"Idempotency-Key": f"email-{email_id}"})
        except requests.RequestException as error:
            raise SendFailed(f"no answer from the mailer: {error}") from error
        if not answer.ok:
            raise SendFailed(f"the mailer answered {answer.status_code}: {answer.text[:200]}")
