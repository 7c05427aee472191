"""The soak's learners: each logs in over HTTP and submits its files several times, as a browser
would (CSRF token from the page, multipart upload, 303 to the submission page).

A learner waits and tries again when the site is down (connection refused), when it is told it
has too many submissions in flight (429), or on a server error. A request cut after it was sent
(no answer, or an answer cut mid-body by a web restart) may or may not have stored a
submission; it is counted as `uncertain` and the checker holds every stored submission to the
same rules, acknowledged or not.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

import requests

from tests.grading.grading_helpers import TOY_LAB
from tests.webapp.conftest import PASSWORD, TOKEN

SOLUTION = {"app.py": (TOY_LAB / "solution" / "app.py").read_bytes()}
STARTER = {"app.py": (TOY_LAB / "starter" / "app.py").read_bytes()}
SCORES = {"solution": 6, "starter": 1}  # what the toy lab's checks give each
SUBMISSION_PATH = re.compile(r"/submissions/(\d+)$")
REQUEST_TIMEOUT_S = 30


class SiteRefused(RuntimeError):
    """The site answered a learner with something no retry can fix."""


@dataclass
class Tally:
    """What the learners saw, shared by their threads."""

    acknowledged: dict[int, str] = field(default_factory=dict)  # submission id -> "solution"...
    refused_busy: int = 0  # 429: too many in flight
    server_errors: int = 0  # 5xx
    site_down: int = 0  # connection refused
    uncertain: int = 0  # cut after sending
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class Learner:
    def __init__(self, base_url: str, email: str, lab_id: str, tally: Tally,
                 deadline: float) -> None:
        self.base_url, self.email, self.lab_id = base_url, email, lab_id
        self.tally, self.deadline = tally, deadline
        self.http = requests.Session()

    def log_in(self) -> None:
        token = self.token("/login")
        response = self.request("post", "/login", data={
            "csrf_token": token, "email": self.email, "password": PASSWORD})
        if response.status_code != 302:
            raise SiteRefused(f"{self.email}: expected login to redirect, got "
                              f"{response.status_code}")

    def token(self, page: str) -> str:
        match = TOKEN.search(self.request("get", page).text)
        if not match:
            raise SiteRefused(f"{self.email}: expected a csrf_token on {page}, found none")
        return match.group(1)

    def submit(self, kind: str) -> int:
        """Submit the solution or the starter until the site takes it; its submission id."""
        files = SOLUTION if kind == "solution" else STARTER
        page = f"/labs/{self.lab_id}/submissions"
        while True:
            token = self.token(page)
            parts = [("files", (name, data)) for name, data in files.items()]
            try:
                response = self.http.post(self.base_url + page, data={"csrf_token": token},
                                          files=parts, allow_redirects=False,
                                          timeout=REQUEST_TIMEOUT_S)
            except requests.RequestException as exc:
                self.tally.count("site_down" if _refused(exc) else "uncertain")
                self.pause(0.5)
                continue
            if response.status_code == 303:
                match = SUBMISSION_PATH.search(response.headers["Location"])
                if not match:
                    raise SiteRefused(f"unexpected redirect {response.headers['Location']}")
                submission_id = int(match.group(1))
                with self.tally.lock:
                    self.tally.acknowledged[submission_id] = kind
                return submission_id
            if response.status_code == 429:
                self.tally.count("refused_busy")
                self.pause(1.0)
            elif response.status_code >= 500:
                self.tally.count("server_errors")
                self.pause(0.5)
            else:
                raise SiteRefused(f"{self.email}: expected 303 for a submission, got "
                                  f"{response.status_code}: {response.text[:200]}")

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A GET or a login POST, retried while the site is down (nothing was stored)."""
        while True:
            try:
                return self.http.request(method, self.base_url + path, allow_redirects=False,
                                         timeout=REQUEST_TIMEOUT_S, **kwargs)
            except requests.RequestException:  # refused, timed out, or cut mid-answer
                self.tally.count("site_down")
                self.pause(0.5)

    def pause(self, seconds: float) -> None:
        if time.monotonic() > self.deadline:
            raise SiteRefused(f"{self.email}: the site did not take the submission in time")
        time.sleep(seconds)


def _refused(exc: requests.RequestException) -> bool:
    return isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower()


def run_learners(base_url: str, emails: list[str], lab_id: str, per_learner: int,
                 rng: random.Random, deadline: float, tally: Tally) -> list[str]:
    """Every learner submits `per_learner` times (about one in four the starter) with a short
    think time between; returns what went wrong (empty when every submission was taken)."""
    errors: list[str] = []
    plans = [[rng.choice(("solution", "solution", "solution", "starter"))
              for _ in range(per_learner)] for _ in emails]
    thinks = [[rng.uniform(0, 1.5) for _ in range(per_learner)] for _ in emails]

    def learn(index: int) -> None:
        learner = Learner(base_url, emails[index], lab_id, tally, deadline)
        try:
            learner.log_in()
            for kind, think in zip(plans[index], thinks[index], strict=True):
                learner.submit(kind)
                time.sleep(think)
        except SiteRefused as exc:
            errors.append(str(exc))
        except Exception as exc:  # a learner that dies must be named, not just missing
            errors.append(f"{emails[index]}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=learn, args=(n,), name=f"learner-{n}")
               for n in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
