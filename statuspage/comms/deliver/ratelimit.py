"""Token buckets: how fast each channel (and each Slack URL) may send.

A caller reserves its tokens at once and sleeps until they would have been there, so
concurrent senders queue in order and the long-run rate is exact, whatever the sleeps'
jitter. A provider that pushes back slows the bucket down (`slow_down`) or stops it for a
while (`pause`); the rate comes back by steps once the provider stops complaining.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

Clock = Callable[[], float]
RECOVER_AFTER = 30.0  # seconds without complaints before the rate steps back up
FLOOR = 0.05  # never slower than this share of the configured rate


class TokenBucket:
    def __init__(self, rate: float, burst: float = 1.0, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be above 0")
        self.rate = rate
        self.burst = max(1.0, burst)
        self.factor = 1.0
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()
        self._paused_until = 0.0
        self._complained = 0.0

    @property
    def current_rate(self) -> float:
        return self.rate * self.factor

    def reserve(self, tokens: float = 1.0) -> float:
        """Take `tokens` now; return how many seconds to wait before using them."""
        now = self._clock()
        self._recover(now)
        start = max(now, self._paused_until)
        elapsed = max(0.0, start - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.current_rate)
        self._updated = start
        self._tokens -= tokens
        wait_tokens = -self._tokens if self._tokens < 0 else 0.0
        return (start - now) + wait_tokens / self.current_rate

    async def acquire(self, tokens: float = 1.0) -> None:
        wait = self.reserve(tokens)
        if wait > 0:
            await asyncio.sleep(wait)

    def slow_down(self, factor: float = 0.5) -> float:
        """Send at a lower rate for a while; returns the new share of the configured rate."""
        self._settle_tokens()
        self.factor = max(FLOOR, self.factor * factor)
        self._complained = self._clock()
        return self.factor

    def limit_to(self, factor: float) -> None:
        """Never above `factor` of the configured rate (a slow-down another process saw)."""
        if factor < self.factor:
            self._settle_tokens()
            self.factor = max(FLOOR, factor)
            self._complained = self._clock()

    def pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (a provider's Retry-After for the whole account)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._complained = self._clock()

    def _settle_tokens(self) -> None:
        now = self._clock()
        if now > self._updated:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.current_rate)
            self._updated = now

    def _recover(self, now: float) -> None:
        if self.factor < 1.0 and now - self._complained >= RECOVER_AFTER:
            self._settle_tokens()
            self.factor = min(1.0, self.factor * 1.5)
            self._complained = now


class KeyedBuckets:
    """One bucket per key (a Slack incoming-webhook URL): at most `rate` per second each."""

    def __init__(self, rate: float, clock: Clock = time.monotonic, keep: int = 10_000) -> None:
        self.rate = rate
        self._clock = clock
        self._keep = keep
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, key: str) -> TokenBucket:
        found = self._buckets.get(key)
        if found is None:
            if len(self._buckets) >= self._keep:
                self._buckets.clear()  # idle buckets are full anyway: nothing is lost
            found = self._buckets[key] = TokenBucket(self.rate, 1.0, self._clock)
        return found

    async def acquire(self, key: str) -> None:
        await self.bucket(key).acquire()
