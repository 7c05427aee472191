"""The learner's lab workspace: instructions beside an editor of their draft, Run sessions
with a live log and a request console, and Grade.

`drafts` keeps the files, `archive` checks uploads, `runs` holds live sandbox sessions,
`console` proxies requests to them; `views` and `run_views` are the pages and endpoints.
"""

from webapp.workspace.views import bp

__all__ = ["bp"]
