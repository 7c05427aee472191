"""Checks of the work-queue lab: the API accepts at once, the worker sends every email exactly
once however it is delivered, dead-letters what keeps failing, and the API sheds load.

Every check makes its own emails with random addresses (`ctx.random`), sets the mailer
stub's rules for exactly those addresses, and judges by the mailer's outbox (the effect,
counted where it happens) and by the stream's consumer group, never by the app's word alone.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from labs.checks import CheckContext, CheckFailed, Checks
from labs.evidence import excerpt
from labs.work_queue.observe import DEAD_LETTERS, GROUP, STREAM, MailerStub, Stream

checks = Checks()

# The contract's numbers; lab.toml gives the same values to both programs.
CLAIM_IDLE_MS = 2000
MAX_TRIES = 3
BACKLOG_LIMIT = 10
MAILER_LATENCY_MS = 300    # what the mailer stub takes per send
# A bound the grader times is the README's target plus the grader's own margin: it measures
# from its side, its own client, the sandbox network and a busy grading machine included.
# README says both; a request that hangs or waits for the mailer is cut off at
# ANSWER_TIMEOUT_S, well past either bound.
ACCEPT_TARGET_S = 1.0      # README: POST /emails answers within a second, whatever the mailer does
ACCEPT_BOUND_S = 1.5       # ... judged with the grader's margin
DOWN_TARGET_S = 2.0        # README: with Redis not answering, the API answers 503 within 2 s
DOWN_BOUND_S = 3.0         # ... judged with the grader's margin
STATUSES = ("queued", "done", "failed")
SEND_START_S = 5.0         # a queued email reaches the mailer this soon
DONE_S = 5.0               # an email the mailer took is done this soon after its answer
ACK_S = 5.0                # a finished email's message is acknowledged this soon
RECLAIM_S = CLAIM_IDLE_MS / 1000 + 8.0   # a dead worker's message is sent again this soon
# New emails the kill check may take: one that a worker dead-lettered before the grader
# killed it (every try gave up on the mailer's held answer while the grader stalled) is
# started over; the third in a row is judged as it is.
KILL_EMAILS = 3
# A message idle this long was not claimed when it could have been: the README's claim after
# CLAIM_IDLE_MS, looked for at least once a second, plus a second of slack.
UNCLAIMED_MS = CLAIM_IDLE_MS + 2000
ANSWER_TIMEOUT_S = 5.0     # the grader's patience with one request while timing a bound
DEAD_LETTER_S = (MAX_TRIES - 1) * (CLAIM_IDLE_MS / 1000 + 1.5) + 8.0  # the poison's tries
RECOVER_ACCEPT_S = 5.0     # Redis answers again: POST /emails is accepted this soon
RECOVER_DONE_S = 10.0      # ... and the email it accepted is done this soon
DRAIN_S = 20.0             # the restarted worker sends a full backlog this soon

NAMES = ("ana", "bo", "chen", "dara", "eli", "femi", "gus", "hana", "ivo", "jun", "kai", "lea")
DOMAINS = ("example.org", "example.net", "example.com")
SUBJECTS = ("Your receipt", "Welcome aboard", "Your password was changed",
            "Your order has shipped", "Your invoice", "This week's digest")


# --- test data and the API as a client uses it ----------------------------------------------

def new_email(ctx: CheckContext) -> dict[str, str]:
    """An email to a fresh random address, with a random subject and body."""
    name = ctx.random.choice(NAMES)
    number = ctx.random.randrange(10**6)
    return {"to": f"{name}.{number:06d}@{ctx.random.choice(DOMAINS)}",
            "subject": f"{ctx.random.choice(SUBJECTS)} #{ctx.random.randrange(10**5)}",
            "body": f"Hello {name.title()}, reference {ctx.random.randrange(10**9):09d}."}


def submit(ctx: CheckContext, email: dict[str, str]) -> str:
    """POST /emails; the new email's id (the first checks pin the details of the answer)."""
    response = ctx.http.post("/emails", json=email)
    ctx.expect_status(response, 202)
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"],
               f"expected a JSON object with a string id, got {shown(body)}", evidence=response)
    return body["id"]


def status_of(ctx: CheckContext, email_id: str) -> str:
    response = ctx.http.get(f"/emails/{email_id}")
    ctx.expect_status(response, 200)
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict) and body.get("id") == email_id,
               f"expected a JSON object with \"id\": \"{email_id}\", got {shown(body)}",
               evidence=response)
    ctx.expect(body.get("status") in STATUSES, f"expected status one of "
               f"{', '.join(STATUSES)}, got {shown(body.get('status'))}", evidence=response)
    return body["status"]


def wait_status(ctx: CheckContext, email_id: str, wanted: str, timeout: float, why: str,
                ) -> None:
    """Poll GET /emails/{id} until it says `wanted`; fail at once on another final status."""
    def reached() -> None:
        got = status_of(ctx, email_id)
        if got != wanted and got != "queued":
            raise _Final(f"expected email {email_id} {wanted} ({why}), got {got}")
        ctx.expect(got == wanted, f"expected email {email_id} {wanted} within {timeout:g} s "
                   f"({why}), got {got}", evidence=ctx.last_exchange())

    try:
        ctx.eventually(reached, timeout=timeout, interval=0.1)
    except _Final as final:
        raise CheckFailed(str(final), ctx.last_exchange()) from None


def shown(value: Any) -> str:
    """A value the app gave, as JSON (a missing one as "none"), cut short."""
    return "none" if value is None else excerpt(json.dumps(value), 200)


class _Final(Exception):
    """The email ended in the wrong final status: waiting longer cannot help."""


def expect_error_body(ctx: CheckContext, response: httpx.Response) -> None:
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict) and isinstance(body.get("error"), str),
               f"expected a JSON object with an \"error\" member, got {shown(body)}",
               evidence=response)


def timed(ctx: CheckContext, method: str, path: str, **kwargs: Any,
          ) -> tuple[httpx.Response | None, float]:
    """One request with the grader's patience of ANSWER_TIMEOUT_S: (response or None when
    none came, seconds taken)."""
    started = time.monotonic()
    try:
        response = ctx.http.request(method, path, timeout=ANSWER_TIMEOUT_S, **kwargs)
    except httpx.TimeoutException:
        return None, time.monotonic() - started
    return response, time.monotonic() - started


def wait_held(ctx: CheckContext, mailer: MailerStub, email_id: str, to: str) -> None:
    """Wait until the mailer sent this email and holds its answer (a hold rule is on `to`)."""
    def held() -> None:
        calls = mailer.calls_for(to)
        ctx.expect(calls, f"expected the worker to send email {email_id} (to {to}) within "
                   f"{SEND_START_S:g} s, got no call to the mailer: is the worker reading "
                   f"the stream {STREAM} as group {GROUP}?")
        last = calls[-1]["outcome"]
        state = "still in progress" if last == "pending" else f"answered {last}"
        ctx.expect(any(call["outcome"] == "held" for call in calls), f"expected the mailer "
                   f"to send email {email_id} within {SEND_START_S:g} s, got the send {state}",
                   evidence=json.dumps(calls, indent=1))

    ctx.eventually(held, timeout=SEND_START_S)


def sent_once(ctx: CheckContext, mailer: MailerStub, email: dict[str, str], email_id: str,
              why: str) -> None:
    sent = mailer.sent_to(email["to"])
    ctx.expect(len(sent) == 1, f"expected exactly 1 email sent to {email['to']} (email "
               f"{email_id}, {why}), got {len(sent)}",
               evidence=json.dumps({"sent": sent, "calls": mailer.calls_for(email["to"])},
                                   indent=1))


def wait_finished(ctx: CheckContext, stream: Stream, message_id: str, what: str,
                  timeout: float = ACK_S) -> None:
    """Wait until the group delivered the message and it was acknowledged."""
    def finished() -> None:
        ctx.expect(stream.finished(message_id), f"expected {what} (message {message_id} of "
                   f"{STREAM}) acknowledged within {timeout:g} s, got it "
                   f"{'pending' if message_id in stream.pending_ids() else 'not yet read'} "
                   f"in group {GROUP}")

    ctx.eventually(finished, timeout=timeout, interval=0.1)


def entry_of(ctx: CheckContext, stream: Stream, email_id: str) -> Any:
    """The stream entry of an email (fails when the API did not queue it as the README says)."""
    def queued() -> Any:
        entries = stream.entries_of(email_id)
        ctx.expect(entries, f"expected an entry with field id={email_id} on the stream "
                   f"{STREAM}, got none")
        return entries[0]

    return ctx.eventually(queued, timeout=2.0)


# --- the checks ---------------------------------------------------------------------------

@checks.check("POST /emails answers 202 at once, with a Location to watch", points=10,
              hint="Do not call the mailer in the request: record the email, XADD it to the "
                   "stream `emails` and answer 202 with {\"id\", \"status\": \"queued\"} and "
                   "Location: /emails/{id}.")
def accepted_at_once_with_202_and_location(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    email = new_email(ctx)
    mailer.hold(email["to"])  # a send would not come back: the answer must not wait for it
    try:
        response, took = timed(ctx, "POST", "/emails", json=email)
        ctx.metric("POST /emails answered in", round(took * 1000), "ms")
        ctx.expect(response is not None, f"expected 202 within {ACCEPT_TARGET_S:g} s, got no "
                   f"answer within {ANSWER_TIMEOUT_S:g} s from POST /emails: does it wait "
                   f"for the mailer? (this send is held by the mailer)")
        ctx.expect_status(response, 202)
        ctx.expect(took <= ACCEPT_BOUND_S, f"expected 202 within {ACCEPT_TARGET_S:g} s "
                   f"(judged at {ACCEPT_BOUND_S:g} s), got it after {took:.1f} s: does POST "
                   f"/emails wait for the mailer?", evidence=response)
        body = ctx.expect_json(response)
        ctx.expect(isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"],
                   f"expected a JSON object with a string id, got {shown(body)}", evidence=response)
        ctx.expect(body.get("status") == "queued", f"expected \"status\": \"queued\", got "
                   f"{shown(body.get('status'))}", evidence=response)
        location = urlsplit(response.headers.get("Location", "")).path
        ctx.expect(location == f"/emails/{body['id']}", f"expected Location: "
                   f"/emails/{body['id']}, got {shown(response.headers.get('Location'))}",
                   evidence=response)
        status_of(ctx, body["id"])  # 200 with the email; what it says is the next check's
    finally:
        mailer.release(email["to"])


@checks.check("A malformed email is refused with 400, an unknown id is 404", points=5,
              hint="Validate before queueing: to is an address (name@domain), subject a "
                   "non-empty string, body a string. Errors are JSON {\"error\": ...}.")
def malformed_is_400_and_unknown_is_404(ctx: CheckContext) -> None:
    good = new_email(ctx)
    bodies = [{key: value for key, value in good.items() if key != "to"},
              {**good, "to": good["to"].replace("@", " at ")},
              {**good, "subject": ""},
              {**good, "subject": 42},
              {**good, "body": ["not", "text"]},
              [good]]
    for body in bodies:
        response = ctx.http.post("/emails", json=body)
        ctx.expect_status(response, 400)
        expect_error_body(ctx, response)
    response = ctx.http.post("/emails", content=b"{not json",
                             headers={"Content-Type": "application/json"})
    ctx.expect_status(response, 400)
    response = ctx.http.get(f"/emails/no-such-email-{ctx.random.randrange(10**9)}")
    ctx.expect_status(response, 404)
    expect_error_body(ctx, response)


@checks.check("The status URL says queued until the mailer answers, then done", points=15,
              hint="worker.py reads the stream as a consumer of the group `mailers`, sends "
                   "through the mailer, and only after its 200 marks the email done and "
                   "XACKs the message.",
              needs=("accepted_at_once_with_202_and_location",))
def status_url_reports_queued_then_done(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    stream = Stream(ctx.redis())
    email = new_email(ctx)
    mailer.hold(email["to"])
    try:
        email_id = submit(ctx, email)
        wait_held(ctx, mailer, email_id, email["to"])
        got = status_of(ctx, email_id)
        # A worker whose try gave up on the held answer tries again once the message is
        # CLAIM_IDLE_MS idle, and the mailer answers that repeat's key with 200 at once: the
        # email is done then (README: done once the mailer answered 2xx), held or not.
        replayed = any(call["outcome"] == 200 for call in mailer.calls_for(email["to"]))
        ctx.expect(got == "queued" or (got == "done" and replayed), f"expected email "
                   f"{email_id} queued while the mailer has not answered its send, got {got}",
                   evidence=ctx.last_exchange())
    finally:
        mailer.release(email["to"])
    released = time.monotonic()
    wait_status(ctx, email_id, "done", DONE_S, "the mailer answered 200")
    ctx.metric("mailer's answer to done", round((time.monotonic() - released) * 1000), "ms")
    sent_once(ctx, mailer, email, email_id, "sent once")
    sent = mailer.sent_to(email["to"])[0]
    ctx.expect((sent["subject"], sent["body"]) == (email["subject"], email["body"]),
               f"expected the email sent with the subject and body posted, got subject "
               f"{shown(sent['subject'])} and body {shown(sent['body'])}",
               evidence=json.dumps(sent))
    wait_finished(ctx, stream, entry_of(ctx, stream, email_id).message_id,
                  f"the message of email {email_id}")


@checks.check("A duplicate delivery sends one email; two equal emails send two", points=15,
              hint="Delivery is at least once: the same email may come twice. Send with "
                   "Idempotency-Key derived from the email's id (not the stream entry's id, "
                   "which a duplicate does not share, nor its content, which two emails may "
                   "share).",
              needs=("status_url_reports_queued_then_done",))
def duplicate_delivery_sends_one_email(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    stream = Stream(ctx.redis())
    early, late, twin = new_email(ctx), new_email(ctx), new_email(ctx)
    early_id = submit(ctx, early)
    copies = {early_id: stream.add_copy(entry_of(ctx, stream, early_id))}  # while on its way
    late_id = submit(ctx, late)
    wait_status(ctx, late_id, "done", SEND_START_S + DONE_S, "sent")
    copies[late_id] = stream.add_copy(entry_of(ctx, stream, late_id))     # after it is done
    twin_ids = [submit(ctx, twin), submit(ctx, twin)]
    for email_id in (early_id, *twin_ids):
        wait_status(ctx, email_id, "done", SEND_START_S + DONE_S, "sent")
    for email_id, message_id in copies.items():
        wait_finished(ctx, stream, message_id, f"the duplicate of email {email_id}")
    sent_once(ctx, mailer, early, early_id, "delivered twice while it was being sent")
    sent_once(ctx, mailer, late, late_id, "delivered again after it was sent")
    twins = mailer.sent_to(twin["to"])
    ctx.expect(len(twins) == 2, f"expected 2 emails sent to {twin['to']} (two emails "
               f"{twin_ids[0]} and {twin_ids[1]} with the same content), got {len(twins)}",
               evidence=json.dumps({"sent": twins, "calls": mailer.calls_for(twin["to"])},
                                   indent=1))
    for email_id in (early_id, late_id):
        ctx.expect(status_of(ctx, email_id) == "done", f"expected email {email_id} still "
                   f"done after its duplicate delivery", evidence=ctx.last_exchange())


@checks.check("A worker killed after sending, before XACK, sends once after redelivery",
              points=15,
              hint="Acknowledge only after the email is finished. A restarted worker must "
                   "claim what a dead one left pending (XAUTOCLAIM after CLAIM_IDLE_MS) and "
                   "send it again with the same Idempotency-Key: the mailer then does not "
                   "send it twice.",
              needs=("duplicate_delivery_sends_one_email",))
def killed_worker_sends_once_after_redelivery(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    stream = Stream(ctx.redis())
    for number in range(1, KILL_EMAILS + 1):
        killed = kill_after_sending(ctx, mailer, stream, last=number == KILL_EMAILS)
        if killed is not None:
            break
    email, email_id, message_id, copy_id = killed
    restarted = time.monotonic()
    claimable_once_copy_read(stream, message_id, copy_id)
    try:
        wait_status(ctx, email_id, "done", RECLAIM_S,
                    f"the restarted worker claims the message after {CLAIM_IDLE_MS} ms idle")
        ctx.metric("done after the restart", round(time.monotonic() - restarted, 2), "s")
        wait_finished(ctx, stream, message_id, f"the message of email {email_id}")
    except CheckFailed:
        expect_claimed(ctx, stream, message_id, email_id, "the copy was read",
                       "the restarted worker does not claim messages a dead worker left "
                       "pending")
        raise
    wait_finished(ctx, stream, copy_id, f"the duplicate of email {email_id}")
    calls = mailer.calls_for(email["to"])
    keys = {call["idempotency_key"] for call in calls}
    evidence = json.dumps(calls, indent=1)
    ctx.expect(len(keys) == 1, f"expected every send of email {email_id} (its message and "
               f"a copy of it, redelivered after the kill) with the same Idempotency-Key, "
               f"got {sorted(keys)}: a key must come from the email's id, not the stream "
               f"entry's", evidence=evidence)
    sent_once(ctx, mailer, email, email_id, "killed after sending, before XACK")
    ctx.expect(len(calls) >= 2, f"expected the email sent again after the kill (at least 2 "
               f"sends), got {len(calls)}", evidence=evidence)


@checks.check(f"An email that always fails is dead-lettered after {MAX_TRIES} tries while "
              "others flow", points=15,
              hint=f"Leave a failed message pending (no XACK): it comes back after "
                   f"{CLAIM_IDLE_MS} ms. On its try {MAX_TRIES}, XADD it to `{DEAD_LETTERS}` "
                   f"with tries and error, mark the email failed and XACK it. Meanwhile keep "
                   f"reading new messages.",
              # the poison's tries come back as the killed worker's message did: the kill
              # check proves first that a message is acknowledged only once its email is
              # finished and that a pending one is claimed after CLAIM_IDLE_MS
              needs=("killed_worker_sends_once_after_redelivery",))
def poison_email_is_dead_lettered(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    stream = Stream(ctx.redis())
    poison, others = new_email(ctx), [new_email(ctx) for _ in range(3)]
    mailer.fail(poison["to"], ctx.random.choice((500, 502, 503)))
    started = time.time()
    poison_id = submit(ctx, poison)
    other_ids = [submit(ctx, email) for email in others]
    for email_id in other_ids:
        wait_status(ctx, email_id, "done", SEND_START_S + DONE_S,
                    "the mailer takes it, whatever happens to another email")
    message_id = entry_of(ctx, stream, poison_id).message_id
    try:
        wait_status(ctx, poison_id, "failed", DEAD_LETTER_S, f"the mailer fails it every "
                    f"time: dead-lettered on try {MAX_TRIES}")
    except CheckFailed:
        expect_redelivered(ctx, stream, mailer, poison, poison_id, message_id)
        tried = len(mailer.calls_for(poison["to"]))
        expect_claimed(ctx, stream, message_id, poison_id,
                       f"try {tried} of {MAX_TRIES} failed", "the worker does not claim "
                       "messages left pending after a failed try")
        raise
    wait_finished(ctx, stream, message_id, f"the message of the failed email {poison_id}")
    tries = mailer.calls_for(poison["to"])
    chart_poison(ctx, started, tries, [mailer.calls_for(email["to"]) for email in others])
    ctx.expect(len(tries) == MAX_TRIES, f"expected exactly {MAX_TRIES} sends of email "
               f"{poison_id} before it was dead-lettered, got {len(tries)}",
               evidence=json.dumps(tries, indent=1))
    expect_dead_letter(ctx, stream, poison, poison_id)
    last_try = tries[-1]["at"]
    for email, email_id in zip(others, other_ids, strict=True):
        sent = mailer.sent_to(email["to"])
        sent_once(ctx, mailer, email, email_id, "a healthy email")
        ctx.expect(sent[0]["at"] < last_try, f"expected email {email_id} sent while the "
                   f"failing email waited for its retries, got it sent after the failing "
                   f"email's try {MAX_TRIES}: does the worker retry a failure in place?",
                   evidence=json.dumps({"sent": sent, "failing tries": tries}, indent=1))


def kill_after_sending(ctx: CheckContext, mailer: MailerStub, stream: Stream, last: bool,
                       ) -> tuple[dict[str, str], str, str, str] | None:
    """Kill the worker once the mailer sent a new email and holds the answer, check that its
    message is still pending, add a copy of its entry, release the answer and start the
    worker again: (email, its id, its message id, the copy's id).

    The mailer holds every try's answer until the release (hold_repeats), so no try of the
    email gets its 200 before the kill, however long the grader takes to get there, and the
    worker is killed before its message is looked at: a dead worker acknowledges nothing.
    A worker that gives up on a held answer may still have dead-lettered the email before
    the kill, after MAX_TRIES unanswered tries, when the grader stalled for seconds: that is
    right, and then None (start over with a new email) unless this is the `last` one."""
    email = new_email(ctx)
    mailer.hold(email["to"], repeats=True)  # the email goes out; no try gets its answer
    killed = False
    try:
        email_id = submit(ctx, email)
        message_id = entry_of(ctx, stream, email_id).message_id
        wait_held(ctx, mailer, email_id, email["to"])
        ctx.faults.kill("worker")
        killed = True
        if message_id not in stream.pending_ids():
            calls = mailer.calls_for(email["to"])
            if len(calls) >= MAX_TRIES and not last:
                return None  # dead-lettered while the grader stalled: not this email's kill
            raise CheckFailed(
                f"expected message {message_id} of email {email_id} pending (delivered, not "
                f"acknowledged) while its send is in flight, got it acknowledged after "
                f"{len(calls)} send call(s), none of them answered (the mailer holds them): "
                f"a worker that dies now loses the email", json.dumps(calls, indent=1))
        copy_id = stream.add_copy(entry_of(ctx, stream, email_id))  # a second delivery
    finally:
        mailer.release(email["to"])
        if killed:
            stream.redeliver_later(message_id)
            ctx.faults.start("worker")
    return email, email_id, message_id, copy_id


def claimable_once_copy_read(stream: Stream, message_id: str, copy_id: str) -> None:
    """Keep the killed worker's message idle for less than CLAIM_IDLE_MS until the restarted
    worker read the copy (SEND_START_S at most): the copy is then sent before the message may
    be claimed, however slowly the worker restarted, so a key taken from the entry id sends
    the email twice on a slow machine too."""
    deadline = time.monotonic() + SEND_START_S
    while time.monotonic() < deadline and not stream.delivered(copy_id):
        stream.redeliver_later(message_id)
        time.sleep(0.2)


def expect_redelivered(ctx: CheckContext, stream: Stream, mailer: MailerStub,
                       email: dict[str, str], email_id: str, message_id: str) -> None:
    """The failing email is not failed in time: when its message was acknowledged after a
    failed try, that is the cause (it never comes back for its next try), said in its terms."""
    tries = mailer.calls_for(email["to"])
    if not tries or len(tries) >= MAX_TRIES or not stream.finished(message_id):
        return
    if stream.entries_of(email_id, DEAD_LETTERS):
        return
    answers = ", ".join(str(call["outcome"]) for call in tries)
    raise CheckFailed(
        f"expected the message of email {email_id} (entry {message_id} of {STREAM}) to stay "
        f"pending after a failed try, so that it is claimed again after {CLAIM_IDLE_MS} ms, "
        f"got it acknowledged (not pending in group {GROUP}) after only {len(tries)} of "
        f"{MAX_TRIES} tries (the mailer answered {answers}), so it was never redelivered: "
        f"the message was acknowledged before its email was finished (XACK only once the "
        f"email is done or dead-lettered)",
        json.dumps({"send calls": tries, "pending in group": sorted(stream.pending_ids())},
                   indent=1))


def expect_claimed(ctx: CheckContext, stream: Stream, message_id: str, email_id: str,
                   since: str, cause: str) -> None:
    """The email is not finished in time: when its message sits pending, delivered to nobody
    for well over CLAIM_IDLE_MS, that is the cause (nothing claims it), said in its terms."""
    entry = stream.pending_entry(message_id)
    if entry is None or entry["idle_ms"] < UNCLAIMED_MS:
        return
    raise CheckFailed(
        f"expected message {message_id} of email {email_id} claimed again once idle for "
        f"{CLAIM_IDLE_MS} ms (XAUTOCLAIM {STREAM} {GROUP} <consumer> {CLAIM_IDLE_MS} 0-0, "
        f"looked for at least once a second), got it still pending with consumer "
        f"{entry['consumer']}, idle for {entry['idle_ms'] / 1000:.1f} s since {since}: "
        f"{cause}", json.dumps({"pending entry": {"message_id": message_id, **entry}},
                                indent=1))


def expect_dead_letter(ctx: CheckContext, stream: Stream, email: dict[str, str],
                       email_id: str) -> None:
    letters = stream.entries_of(email_id, DEAD_LETTERS)
    evidence = json.dumps([entry.fields for entry in stream.entries(DEAD_LETTERS)], indent=1)
    ctx.expect(len(letters) == 1, f"expected 1 entry with id={email_id} on the stream "
               f"{DEAD_LETTERS}, got {len(letters)}", evidence=evidence)
    fields = letters[0].fields
    ctx.expect(fields.get("tries") == str(MAX_TRIES), f"expected the dead letter's field "
               f"tries = {MAX_TRIES}, got {shown(fields.get('tries'))}", evidence=evidence)
    ctx.expect(bool(fields.get("error", "").strip()), "expected the dead letter's field "
               "error to say why the last try failed, got none", evidence=evidence)
    ctx.expect(fields.get("to") == email["to"], f"expected the dead letter to keep the "
               f"message's fields (to = {email['to']}), got to = {shown(fields.get('to'))}",
               evidence=evidence)


def chart_poison(ctx: CheckContext, started: float, tries: list[dict[str, Any]],
                 healthy: list[list[dict[str, Any]]]) -> None:
    """When each try of the failing email and each healthy email's send reached the mailer
    (each bar as long as the mailer's latency)."""
    def bar(label: str, call: dict[str, Any], status: str) -> dict[str, Any]:
        start = round((call["at"] - started) * 1000)
        return {"label": label, "start": start, "end": start + MAILER_LATENCY_MS,
                "status": status}

    rows = [bar(f"failing email, try {number}", call, "failed")
            for number, call in enumerate(tries, start=1)]
    rows += [bar(f"healthy email {number}", calls[0], "sent")
             for number, calls in enumerate(healthy, start=1) if calls]
    ctx.chart("Sends while one email keeps failing (ms after it was posted)", "timeline",
              {"rows": sorted(rows, key=lambda row: row["start"])})


@checks.check("With Redis not answering, the API says 503 within 2 s", points=10,
              hint="Give the API's Redis client a socket timeout (e.g. 0.5 s) and turn a "
                   "Redis error into 503 {\"error\": ...}. The worker must survive the "
                   "outage too: catch the error, wait, go on.",
              needs=("status_url_reports_queued_then_done",))
def redis_down_answers_503_quickly(ctx: CheckContext) -> None:
    before = submit(ctx, new_email(ctx))
    ctx.faults.pause("redis")  # it accepts connections and never answers
    try:
        for method, path, kwargs in (("POST", "/emails", {"json": new_email(ctx)}),
                                     ("GET", f"/emails/{before}", {})):
            response, took = timed(ctx, method, path, **kwargs)
            ctx.metric(f"{method} while Redis is down", round(took * 1000), "ms")
            ctx.expect(response is not None, f"expected 503 within {DOWN_TARGET_S:g} s while "
                       f"Redis does not answer, got no answer within {ANSWER_TIMEOUT_S:g} s "
                       f"from {method} {path}: does your Redis client have a timeout?")
            ctx.expect_status(response, 503)
            expect_error_body(ctx, response)
            ctx.expect(took <= DOWN_BOUND_S, f"expected 503 within {DOWN_TARGET_S:g} s "
                       f"(judged at {DOWN_BOUND_S:g} s) while Redis does not answer, got it "
                       f"after {took:.1f} s from {method} {path}", evidence=response)
    finally:
        ctx.faults.unpause("redis")
    email = new_email(ctx)

    def accepted_again() -> str:
        response = ctx.http.post("/emails", json=email)
        ctx.expect_status(response, 202)
        return ctx.expect_json(response)["id"]

    email_id = ctx.eventually(accepted_again, timeout=RECOVER_ACCEPT_S, interval=0.2)
    wait_status(ctx, email_id, "done", RECOVER_DONE_S, "Redis answers again: the API and the "
                "worker go on without a restart")


@checks.check(f"A full backlog ({BACKLOG_LIMIT} waiting) answers 503 with Retry-After, then "
              "drains", points=15,
              hint=f"Before queueing, count the backlog (the group's lag plus its pending "
                   f"entries, from XINFO GROUPS {STREAM}); at {BACKLOG_LIMIT} answer 503 with "
                   f"a Retry-After header instead of queueing more.",
              needs=("status_url_reports_queued_then_done",))
def full_backlog_sheds_load_then_drains(ctx: CheckContext) -> None:
    mailer = MailerStub(ctx.service_url("mailer"))
    stream = Stream(ctx.redis())
    ctx.faults.stop("worker")
    try:
        accepted, latencies = fill_backlog(ctx, stream)
        for _ in range(2):
            expect_shed(ctx, stream.backlog())
    finally:
        ctx.faults.start("worker")
    ctx.metric("POST /emails p50 while the backlog filled",
               round(statistics.median(latencies) * 1000), "ms")
    drained = watch_drain(ctx, mailer, accepted)
    ctx.chart("Backlog while the restarted worker drains it", "line", drained)
    took = drained[-1][0]
    ctx.metric("backlog drained in", took, "s")
    ctx.metric("drain rate", round(len(accepted) / took, 1) if took else 0, "emails/s")
    for email_id in accepted:
        wait_status(ctx, email_id, "done", DONE_S, "the worker drained the backlog")
    submit(ctx, new_email(ctx))  # room again: no more 503


def fill_backlog(ctx: CheckContext, stream: Stream) -> tuple[dict[str, dict[str, str]],
                                                              list[float]]:
    """POST emails until the backlog holds BACKLOG_LIMIT; each must be accepted. The backlog
    is counted before each POST, and again after a 503: an email queued meanwhile by a
    request of an earlier check (one that hung while Redis was frozen and went on after)
    fills it too, and then the 503 is right."""
    accepted: dict[str, dict[str, str]] = {}
    latencies = []
    while (number := stream.backlog()) < BACKLOG_LIMIT and len(accepted) < BACKLOG_LIMIT:
        email = new_email(ctx)
        response, took = timed(ctx, "POST", "/emails", json=email)
        got = "no answer" if response is None else response.status_code
        if got == 503 and stream.backlog() >= BACKLOG_LIMIT:
            break
        ctx.expect(got == 202, f"expected 202 for an email while {number} wait (the limit is "
                   f"{BACKLOG_LIMIT}), got {got}", evidence=ctx.last_exchange())
        accepted[ctx.expect_json(response)["id"]] = email
        latencies.append(took)
    return accepted, latencies


def expect_shed(ctx: CheckContext, waiting: int) -> None:
    response = ctx.http.post("/emails", json=new_email(ctx))
    ctx.expect(response.status_code == 503, f"expected 503 while {waiting} emails wait (the "
               f"limit is {BACKLOG_LIMIT}), got {response.status_code}", evidence=response)
    expect_error_body(ctx, response)
    retry_after = response.headers.get("Retry-After", "")
    ctx.expect(retry_after.isdigit() and int(retry_after) >= 1, f"expected a Retry-After "
               f"header of whole seconds (at least 1) with the 503, got "
               f"{shown(retry_after or None)}",
               evidence=response)


def watch_drain(ctx: CheckContext, mailer: MailerStub, accepted: dict[str, dict[str, str]],
                timeout: float = DRAIN_S) -> list[list[float]]:
    """[seconds since the worker restarted, emails still waiting], until none wait."""
    addresses = {email["to"] for email in accepted.values()}
    started = time.monotonic()
    points: list[list[float]] = []
    while True:
        sent = {email["to"] for email in mailer.sent_to(*addresses)}
        waiting = len(addresses) - len(sent)
        points.append([round(time.monotonic() - started, 2), waiting])
        if waiting == 0:
            return points
        ctx.expect(time.monotonic() - started < timeout, f"expected the restarted worker to "
                   f"send the {len(addresses)} waiting emails within {timeout:g} s, got "
                   f"{waiting} still waiting", evidence=json.dumps(points))
        time.sleep(0.2)
