"""Single-flight: concurrent loads of one key in this process share one call.

The first caller (the leader) runs the load; callers arriving while it runs wait for its
result instead of calling the origin themselves. That is what keeps a hot key's expiry
from turning into a stampede on the origin.
"""

import threading


class _Flight:
    def __init__(self):
        self.done = threading.Event()
        self.result = None
        self.error = None


class SingleFlight:
    def __init__(self):
        self._lock = threading.Lock()
        self._flights = {}

    def do(self, key, load):
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
        else:
            try:
                flight.result = load()
            except Exception as error:
                flight.error = error
            finally:
                with self._lock:
                    del self._flights[key]
                flight.done.set()
        if flight.error is not None:
            raise flight.error
        return flight.result
