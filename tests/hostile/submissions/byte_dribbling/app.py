"""Answers every request one byte every half second, for ever."""

import itertools
import os
import socket
import threading
import time


def dribble(connection):
    connection.recv(65536)
    for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: "):
        connection.sendall(bytes([byte]))
        time.sleep(0.5)


server = socket.create_server(("0.0.0.0", int(os.environ["PORT"])))  # noqa: S104
while True:
    threading.Thread(target=dribble, args=(server.accept()[0],), daemon=True).start()
