"""Accepts every connection on its port and never answers a byte."""

import os
import socket

server = socket.create_server(("0.0.0.0", int(os.environ["PORT"])))  # noqa: S104
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)
