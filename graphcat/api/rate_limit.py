"""A token bucket per API token, limiting how many mutations it may run per minute.

Each bucket holds up to `rate_per_minute` permits and refills continuously at that rate, so a
client may burst a minute's worth and then proceeds at the steady rate. Buckets live in this
process only: with several graphcat processes the effective limit is multiplied by their number,
which is acceptable for a catalog whose writers are a handful of people and CI jobs.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from graphcat.errors import GraphcatError


class RateLimited(GraphcatError):
    code = "RATE_LIMITED"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Bucket:
    permits: float
    updated: float


@dataclass
class MutationRateLimiter:
    rate_per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str, cost: int = 1) -> None:
        """Spend `cost` permits of `key`'s bucket or raise RateLimited (spending nothing)."""
        capacity = float(self.rate_per_minute)
        per_second = capacity / 60.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(permits=capacity, updated=now)
            bucket.permits = min(capacity, bucket.permits + (now - bucket.updated) * per_second)
            bucket.updated = now
            if cost > capacity:
                raise RateLimited(
                    f"this request runs {cost} mutations; one API token may run at most "
                    f"{self.rate_per_minute} per minute",
                    retry_after=60.0,
                )
            if bucket.permits < cost:
                wait = math.ceil((cost - bucket.permits) / per_second)
                raise RateLimited(
                    f"API token {key} exceeded {self.rate_per_minute} mutations per minute; retry in {wait}s",
                    retry_after=wait,
                )
            bucket.permits -= cost
