"""Consistent hashing: a ring of virtual nodes that maps a key to the shard that owns it.

Adding a shard puts its virtual nodes on the ring and takes over only the arcs they land
on, so about K/(N+1) keys change owner and none move between the shards already there.
"""

import bisect
import hashlib
from collections.abc import Iterable

VIRTUAL_NODES = 128   # positions per shard: evens out each shard's share of the ring


def ring_hash(value: str) -> int:
    """A well-spread 64-bit position; MD5 for its spread, not for security."""
    return int.from_bytes(hashlib.md5(value.encode()).digest()[:8], "big")


class HashRing:
    """The shards' virtual nodes, sorted by position on the ring."""

    def __init__(self, shard_names: Iterable[str], vnodes: int = VIRTUAL_NODES) -> None:
        self.shard_names = tuple(shard_names)
        points = sorted((ring_hash(f"{name}#{i}"), name)
                        for name in self.shard_names for i in range(vnodes))
        self._positions = [position for position, _ in points]
        self._owners = [name for _, name in points]

    def owner(self, key: str) -> str:
        """The shard of the first virtual node clockwise from the key's position."""
        index = bisect.bisect(self._positions, ring_hash(key)) % len(self._positions)
        return self._owners[index]

    def with_shard(self, name: str) -> "HashRing":
        return HashRing((*self.shard_names, name))
