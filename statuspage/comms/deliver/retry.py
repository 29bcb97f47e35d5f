"""When to try a message again: exponential backoff with jitter, up to a limit."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

BUSY_DELAY = 2.0  # a busy provider: the channel slows down; the message is soon due again


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: float = 30.0  # seconds before the second attempt (about: jitter applies)
    cap: float = 3600.0
    ambiguous_delay: float = 120.0  # before an attempt of unknown outcome is looked up
    rand: Callable[[], float] = random.random

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt, after `attempts` failed ones: half the doubled
        delay fixed, half random (so a burst of failures does not retry as a burst)."""
        full = min(self.cap, self.base * 2.0 ** max(0, attempts - 1))
        jittered = full / 2 + self.rand() * full / 2
        if retry_after is not None:
            return float(min(self.cap, max(retry_after, jittered)))
        return float(jittered)

    def next_attempt(self, now: datetime, attempts: int, retry_after: float | None) -> datetime:
        return now + timedelta(seconds=self.delay(attempts, retry_after))

    def busy_attempt(self, now: datetime, retry_after: float | None) -> datetime:
        wait = retry_after if retry_after is not None else BUSY_DELAY * (1 + self.rand())
        return now + timedelta(seconds=min(self.cap, wait))

    def ambiguous_attempt(self, now: datetime, attempts: int) -> datetime:
        """When to look up an attempt of unknown outcome: late enough for the provider to
        show it, and never sooner than the backoff."""
        wait = max(self.ambiguous_delay, self.delay(attempts))
        return now + timedelta(seconds=min(self.cap, wait))
