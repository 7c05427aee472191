"""Redis clients that give up quickly when Redis is gone.

socket_connect_timeout does not cover resolving the host name, and the name of a stopped
container can take seconds to fail; so names are resolved on a helper thread with the
same short deadline.
"""

import socket
import threading

import redis

TIMEOUT_S = 0.5  # a slow cache is worse than none: give up and go to the origin


def resolve(host, timeout):
    found = {}

    def lookup():
        try:
            found["address"] = socket.gethostbyname(host)
        except OSError as error:
            found["error"] = error

    helper = threading.Thread(target=lookup, name="resolve", daemon=True)
    helper.start()
    helper.join(timeout)
    if "address" not in found:
        raise redis.ConnectionError(f"cannot resolve {host} within {timeout} s: "
                                    f"{found.get('error', 'no answer')}")
    return found["address"]


class QuickConnection(redis.Connection):
    def _connect(self):
        name = self.host
        self.host = resolve(name, TIMEOUT_S)
        try:
            return super()._connect()
        finally:
            self.host = name


def connect(url, **options):
    return redis.Redis.from_url(url, connection_class=QuickConnection,
                                socket_connect_timeout=TIMEOUT_S, **options)
