"""The cache-aside flow for items: read through the cache, write to the origin then evict."""

HIT, MISS = "HIT", "MISS"


class Items:
    def __init__(self, cache, origin, flights):
        self.cache = cache
        self.origin = origin
        self.flights = flights

    def read(self, key):
        """(item or None for a missing item, HIT or MISS)."""
        cached = self.cache.get(key)
        if cached is not None:
            return cached.item, HIT
        return self.flights.do(key, lambda: self._load(key)), MISS

    def update(self, key, value):
        """Write the origin first, then delete the entry: the next read fetches the new value."""
        item = self.origin.put(key, value)
        self.cache.evict(key)
        return item

    def _load(self, key):
        cached = self.cache.get(key)  # a flight that just ended may have filled it
        if cached is not None:
            return cached.item
        item = self.origin.get(key)
        if item is None:
            self.cache.put_missing(key)
        else:
            self.cache.put(key, item)
        return item
