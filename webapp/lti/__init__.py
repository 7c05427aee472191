"""LTI 1.3 in the site: an LMS launches learners and instructors into labs, and their lab
grades go back to the LMS gradebook through Assignment and Grade Services.

`launch` checks the OIDC login and the id_token; `arrival` signs the user in and finds the
lab; `keys` holds the tool's key pair; `platforms` registers LMSs; `views` serves /lti.
"""

from webapp.lti.views import bp

__all__ = ["bp"]
