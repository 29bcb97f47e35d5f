"""Times given on the command line: ISO-8601, `now`, or relative like +2h."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.errors import InvalidInput
from statuspage.local_time import localize

_RELATIVE = re.compile(r"^(?:now)?\s*([+-])\s*(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_time(value: str, time_zone: str, now: datetime, what: str = "time") -> datetime:
    """An aware UTC datetime; naive times are read in the page's time zone (refused when
    clocks skip them or show them twice: see statuspage.local_time).

    Examples: 2026-11-23T14:00:00Z, 2026-11-23 15:00 (page time zone), now, +2h, -30m.
    """
    text = value.strip()
    if text == "now":
        return now
    relative = _RELATIVE.match(text)
    if relative:
        sign, amount, unit = relative.groups()
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        return now + delta if sign == "+" else now - delta
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"malformed {what} {value!r}; use ISO-8601 such as 2026-11-23T14:00:00Z or "
            "2026-11-23 15:00 (page time zone), or now, +2h, -30m"
        ) from exc
    if parsed.tzinfo is None:
        try:
            return localize(parsed, time_zone)
        except InvalidInput as exc:  # a wall time that clocks skip or show twice
            raise InvalidInput(f"{what}: {exc}") from exc
    return parsed.astimezone(UTC)


def local(value: datetime, time_zone: str) -> str:
    """A time as people read it in the page's time zone, with the zone's abbreviation."""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M %Z")


def ago(value: datetime, now: datetime) -> str:
    seconds = int((now - value).total_seconds())
    if seconds < 0:
        return "in " + _span(-seconds)
    return _span(seconds) + " ago"


def _span(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{hours // 24}d {hours % 24}h"
