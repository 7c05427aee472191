"""Sleeps for an hour before binding its port."""

import time

import honest

time.sleep(3600)
honest.serve()
