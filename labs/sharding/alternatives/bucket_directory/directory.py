"""Fixed buckets and a directory: crc32(key) picks one of 240 buckets, the directory says
which shard holds each bucket.

With three shards each holds 80 buckets; a fourth shard takes 20 buckets from each, so a
quarter of the keys move, all onto the new shard. Each bucket has a lock: a bucket moves
(copy, switch, delete) while holding it, and every request for a key holds its bucket's
lock, so a request sees a bucket either before or after its move, never during.
"""

import threading
import zlib

BUCKETS = 240


def bucket_of(key: str) -> int:
    return zlib.crc32(key.encode()) % BUCKETS


class Directory:
    def __init__(self, shards: list[str]) -> None:
        self.owner = {bucket: shards[bucket % len(shards)] for bucket in range(BUCKETS)}
        self.locks = [threading.Lock() for _ in range(BUCKETS)]

    def shards(self) -> list[str]:
        return sorted(set(self.owner.values()))

    def handover(self, new_shard: str) -> list[tuple[int, str]]:
        """(bucket, its shard now) for the buckets the new shard should take: an equal share
        from each shard, so every shard ends with BUCKETS / (N + 1)."""
        shards = self.shards()
        share = BUCKETS // (len(shards) + 1)
        taken = []
        for index in range(share):
            donor = shards[index % len(shards)]
            bucket = max(b for b, s in self.owner.items()
                         if s == donor and (b, donor) not in taken)
            taken.append((bucket, donor))
        return taken
