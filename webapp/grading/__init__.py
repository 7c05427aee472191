"""Grading in the site: submissions, the queue and its workers, live results and history.

`service.submit(...)` stores and enqueues; `job.run_submission` grades; `pool.EmbeddedPool`
(no Redis) or `archlab worker` (RQ) runs jobs; `views` shows them as they stream in.
"""

from webapp.grading.views import bp

__all__ = ["bp"]
