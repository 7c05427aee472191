"""A lab as a Gradescope autograder: the bundle `archlab export gradescope` writes (bundle.py)
and what its run_autograder runs for each submission (run.py)."""
