"""What the fake API remembers between requests: the request log, revoked tokens and
rate-limit buckets. One lock guards it all (the server is threaded)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

#: Requests per hour: api.github.com's primary limits.
AUTHENTICATED_LIMIT = 5000
UNAUTHENTICATED_LIMIT = 60


@dataclass
class Bucket:
    """A primary rate-limit window: ``reset`` is its end (epoch seconds)."""

    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit


class FakeGitHubState:
    def __init__(self, tokens: dict[str, dict[str, Any]], slow_seconds: float | None = None):
        self.lock = threading.Lock()
        self.tokens = tokens
        self.by_value = {entry["token"]: name for name, entry in tokens.items()}
        self.slow_seconds = slow_seconds
        self.requests: list[dict[str, Any]] = []
        self.revoked: set[str] = set()
        self.buckets: dict[str, Bucket] = {}

    def reset(self) -> None:
        with self.lock:
            self.requests = []
            self.revoked = set()
            self.buckets = {}

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def bucket(self, key: str, limit: int, window: int = 3600) -> Bucket:
        """The bucket ``key``, a fresh one once its window is over (caller holds the lock)."""
        now = time.time()
        b = self.buckets.get(key)
        if b is None or now >= b.reset:
            b = Bucket(limit, 0, int(now) + window)
            self.buckets[key] = b
        return b

    def ip_bucket(self, ip: str) -> Bucket:
        """An unauthenticated caller's bucket (caller holds the lock)."""
        return self.bucket("ip:" + ip, UNAUTHENTICATED_LIMIT)

    def token_bucket(self, name: str, behavior: str) -> Bucket:
        """A known token's bucket; a ``rateLimited`` token's is born exhausted, for 20
        minutes (caller holds the lock)."""
        key = "token:" + name
        if behavior == "rateLimited":
            b = self.buckets.get(key)
            if b is None or time.time() >= b.reset:
                b = Bucket(AUTHENTICATED_LIMIT, AUTHENTICATED_LIMIT, int(time.time()) + 1200)
                self.buckets[key] = b
            return b
        return self.bucket(key, AUTHENTICATED_LIMIT)
