"""Local times in the page's time zone: read without guessing, shown as people read them.

A local time can fail to name one instant. On the night clocks spring forward, 02:30 in
America/New_York does not exist; on the night they fall back, 01:30 happens twice. Python
would silently move the first and pick one of the second: both are refused here with
what to write instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.errors import InvalidInput


def human(at: datetime, time_zone: str, now: datetime | None = None) -> str:
    """A time in the page's zone for a message: "Mar 8, 2026 07:30 EDT"; given `now`, just
    "07:30 EDT" on the same day there, and "Sun 8 Mar 2026 07:30 EDT" on another."""
    zone = ZoneInfo(time_zone)
    t = at.astimezone(zone)
    if now is None:
        return f"{t:%b} {t.day}, {t:%Y %H:%M %Z}"
    today = now.astimezone(zone).date()
    if t.date() == today:
        return f"{t:%H:%M %Z}"
    return f"{t:%a} {t.day} {t:%b %Y %H:%M %Z}"


def localize(naive: datetime, time_zone: str) -> datetime:
    """`naive` read in `time_zone`, as an aware UTC time; InvalidInput in a gap or an overlap.

    Example: localize(datetime(2026, 3, 8, 2, 30), "America/New_York") raises "02:30 does
    not exist on 8 Mar 2026 in America/New_York (clocks jump to 03:00)".
    """
    zone = ZoneInfo(time_zone)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if _wall(first.astimezone(UTC), zone) != naive:
        raise InvalidInput(
            f"{_clock(naive)} does not exist on {_day(naive)} in {time_zone} "
            f"(clocks jump to {_clock(_jump(first, second, zone))})"
        )
    choices = " or ".join(
        f"{_clock(naive)}{_offset(t)} ({t.tzname()})" for t in sorted((first, second), key=_utc)
    )
    raise InvalidInput(
        f"{_clock(naive)} on {_day(naive)} happens twice in {time_zone}; add the offset: {choices}"
    )


def _jump(first: datetime, second: datetime, zone: ZoneInfo) -> datetime:
    """The local time clocks jump to over a gap, given a wall time in it read with the
    offsets either side: the first instant under the new offset, found by bisection."""
    low, high = sorted((_utc(first), _utc(second)))
    new_offset = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == new_offset:
            high = middle
        else:
            low = middle
    return _wall(high.replace(microsecond=0), zone)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _wall(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def _clock(t: datetime) -> str:
    return f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}"


def _day(t: datetime) -> str:
    return f"{t.day} {t:%b %Y}"


def _offset(t: datetime) -> str:
    offset = t.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
