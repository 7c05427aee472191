"""Serves on port 80 instead of $PORT."""

import os

import honest

os.environ["PORT"] = "80"
honest.serve()
