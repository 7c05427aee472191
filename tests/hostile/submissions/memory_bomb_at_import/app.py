"""Memory bomb before serving: keep 8 MiB blocks until something stops us."""

hoard = []
while True:
    hoard.append(b"x" * (8 * 1024 * 1024))
