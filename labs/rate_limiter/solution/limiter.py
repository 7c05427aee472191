"""A token bucket per API key in Redis, taken from in one atomic step (a Lua script).

Both instances of the service run the same script against the same Redis, so they share
each key's bucket, and Redis runs one script at a time, so simultaneous requests cannot
overdraw it. The script uses Redis's clock: one clock for every instance.
"""

import math

import redis

BUCKET_KEY = "ratelimit:{}"
TIMEOUT_S = 0.3  # a dead Redis must cost a request a fraction of a second, not the answer

TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {taken, tostring(tokens)}
"""


class Decision:
    """Whether the request may pass, the whole tokens left, and when to come back."""

    def __init__(self, allowed, remaining, retry_after):
        self.allowed, self.remaining, self.retry_after = allowed, remaining, retry_after


class Limiter:
    def __init__(self, url, capacity, rate):
        self.capacity, self.rate = capacity, rate
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S,
                                      socket_timeout=TIMEOUT_S)
        self.take_script = client.register_script(TAKE)

    def take(self, api_key):
        """The decision for one request of `api_key`; raises redis.RedisError when Redis
        cannot answer."""
        taken, tokens = self.take_script(keys=[BUCKET_KEY.format(api_key)],
                                         args=[self.capacity, self.rate])
        tokens = float(tokens)
        retry_after = 0 if taken else math.ceil((1 - tokens) / self.rate)
        return Decision(bool(taken), math.floor(tokens), retry_after)
