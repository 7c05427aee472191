"""Spins the CPU at import and never gets to listening."""

while True:
    pass
