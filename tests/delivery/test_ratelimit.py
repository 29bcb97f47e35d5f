"""Token buckets: exact long-run rates, pauses and slow-downs."""

from __future__ import annotations

import time

from statuspage.comms.deliver.ratelimit import RECOVER_AFTER, KeyedBuckets, TokenBucket
from statuspage.comms.deliver.retry import RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reservations_queue_at_exactly_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(50.0, burst=1.0, clock=clock)
    waits = [bucket.reserve() for _ in range(101)]
    assert waits[0] == 0 and abs(waits[100] - 2.0) < 1e-9  # 100 more at 50/s: 2 s


def test_a_message_of_three_segments_takes_three_tokens() -> None:
    clock = Clock()
    bucket = TokenBucket(1.0, clock=clock)
    assert bucket.reserve(3) == 2.0 and bucket.reserve(1) == 3.0


def test_a_pause_holds_everything_back_and_a_slow_down_recovers_later() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, clock=clock)
    bucket.reserve()
    bucket.pause(5)
    assert 5.0 <= bucket.reserve() <= 5.1
    clock.now += 10
    bucket.slow_down()
    assert bucket.current_rate == 5.0
    clock.now += RECOVER_AFTER + 1
    bucket.reserve()
    assert bucket.current_rate == 7.5


def test_each_key_has_its_own_bucket() -> None:
    clock = Clock()
    keyed = KeyedBuckets(1.0, clock=clock)
    assert keyed.bucket("a").reserve() == 0 and keyed.bucket("b").reserve() == 0
    assert keyed.bucket("a").reserve() == 1.0


async def test_the_achieved_rate_matches_the_limit_in_real_time() -> None:
    bucket = TokenBucket(40.0)
    started = time.monotonic()
    for _ in range(41):
        await bucket.acquire()
    elapsed = time.monotonic() - started
    assert 0.97 <= elapsed <= 1.3  # 40 after the first, at 40/s (never sooner)


def test_backoff_doubles_with_jitter_and_respects_the_cap_and_retry_after() -> None:
    low = RetryPolicy(base=30, cap=600, rand=lambda: 0.0)
    high = RetryPolicy(base=30, cap=600, rand=lambda: 1.0)
    assert [low.delay(n) for n in (1, 2, 3)] == [15, 30, 60]
    assert [high.delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert high.delay(10) == 600 and low.delay(1, retry_after=100) == 100
