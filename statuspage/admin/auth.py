"""Who is calling: the API key in the Authorization header, and the per-key rate limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from statuspage.errors import AuthError, Forbidden, RateLimited
from statuspage.keys import ApiKey, Scope
from statuspage.service import Service

SCHEMES = ("oauth", "bearer")


def presented_key(request: Request) -> str:
    """The key from `Authorization: OAuth <key>` (or `Bearer <key>`)."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.strip().partition(" ")
    if not header:
        raise AuthError("missing Authorization header; send Authorization: OAuth <api-key>")
    if scheme.lower() not in SCHEMES or not key.strip():
        raise AuthError("malformed Authorization header; send Authorization: OAuth <api-key>")
    return key.strip()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def authenticate(request: Request, service: Service, limiter: RateLimiter) -> ApiKey:
    """The caller's key; failed attempts count against the caller's address."""
    source = client_address(request)
    try:
        key = await service.authenticate(presented_key(request), source)
    except AuthError:
        limiter.hit(f"address:{source}")
        raise
    limiter.hit(f"key:{key.id}")
    return key


def require(key: ApiKey, scope: Scope) -> None:
    if not key.scope.allows(scope):
        raise Forbidden(f"this key has scope {key.scope.value}; this request needs {scope.value}")


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, up to `burst` at once.

    Kept in memory per server process: with N workers a caller gets up to N times the rate.
    """

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}

    def hit(self, who: str) -> None:
        """Take one token for `who`, or raise RateLimited saying when one will be there."""
        if self.rate <= 0:
            return
        now = self.clock()
        bucket = self.buckets.get(who) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self.buckets[who] = bucket
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / self.rate)
            raise RateLimited(f"rate limit exceeded; try again in {wait} s", retry_after=wait)
        bucket.tokens -= 1
        if len(self.buckets) > 10_000:
            self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled, so addresses seen once do not pile up."""
        for who, b in list(self.buckets.items()):
            if b.tokens + (now - b.at) * self.rate >= self.burst:
                del self.buckets[who]
