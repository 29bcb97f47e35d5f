"""Times given on the command line, as people type them, read in the page's time zone.

Accepted: `now`; relative `+2h`, `-30m`, `in 2h`, `in 90 min`, `2h ago`; a clock time
`15:00`, `9:30`, `3pm`, `3:30 pm`, `noon`, `midnight` (today); a day and a clock time:
`today 15:00`, `tomorrow 3pm`, `yesterday 09:00`, `mon 09:00`, `friday 5pm`,
`2026-11-23 15:00`; and ISO-8601 (`2026-11-23T14:00:00Z`). A weekday is the next one
(today when its time is still ahead), or the last one where a past time is wanted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from statuspage.errors import InvalidInput
from statuspage.local_time import human, localize

Direction = Literal["future", "past"] | None
FORMS = (
    "use 15:00, 3pm, tomorrow 15:00, mon 09:00, in 2h, +2h, 2h ago, now, or ISO-8601 "
    "such as 2026-11-23 15:00 (page time zone) or 2026-11-23T14:00:00Z"
)
_UNIT = r"(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
_SIGNED = re.compile(rf"^(?:now)?\s*([+-])\s*(\d+)\s*{_UNIT}$")
_IN = re.compile(rf"^in\s+(\d+)\s*{_UNIT}$")
_AGO = re.compile(rf"^(\d+)\s*{_UNIT}\s+ago$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d\d))?\s*(am|pm)?$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_OFFSETS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_NAMED_CLOCKS = {"noon": time(12), "midnight": time(0)}
_DURATION = re.compile(rf"^\d+\s*{_UNIT}$")
_VOCABULARY = (*_DAY_OFFSETS, *_WEEKDAYS, *_NAMED_CLOCKS, "now", "ago")


def parse_time(
    value: str, time_zone: str, now: datetime, what: str = "time", want: Direction = None
) -> datetime:
    """An aware UTC datetime; wall times are read in the page's time zone (refused when
    clocks skip them or show them twice: see statuspage.local_time). With `want`, a time
    on the wrong side of now is refused, saying what to write instead.

    Examples: 15:00, 3pm, tomorrow 15:00, mon 09:00, in 2h, +2h, -30m, now,
    2026-11-23 15:00 (page time zone), 2026-11-23T14:00:00Z.
    """
    text = " ".join(value.strip().lower().split())
    parsed = _relative(text, now)
    if parsed is None:
        parsed = _wall(text, time_zone, now, what, want)
    if parsed is None:
        parsed = _iso(value.strip(), time_zone, what, lambda: _guess(text, time_zone, now, want))
    _check_direction(parsed, value, time_zone, now, what, want)
    return parsed


def _relative(text: str, now: datetime) -> datetime | None:
    if text == "now":
        return now
    signed = _SIGNED.match(text)
    if signed:
        sign, amount, unit = signed.groups()
        return now + _delta(amount, unit) if sign == "+" else now - _delta(amount, unit)
    ahead = _IN.match(text)
    if ahead:
        return now + _delta(*ahead.groups())
    ago = _AGO.match(text)
    return now - _delta(*ago.groups()) if ago else None


def _delta(amount: str, unit: str) -> timedelta:
    key = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit[0]]
    return timedelta(**{key: int(amount)})


def _wall(text: str, time_zone: str, now: datetime, what: str, want: Direction) -> datetime | None:
    """`[DAY] CLOCK` in the page's zone, or None when `text` is not of that shape."""
    day_word, _, clock_text = text.rpartition(" ")
    if day_word and not _is_day(day_word):
        # "3 pm", "tomorrow 3 pm": the clock itself may hold one space.
        head, _, meridiem = text.rpartition(" ")
        if meridiem not in ("am", "pm"):
            return None
        day_word, _, clock_text = head.rpartition(" ")
        clock_text += meridiem
        if day_word and not _is_day(day_word):
            return None
    clock = _clock(clock_text)
    if clock is None:
        if _is_day(text) and not _DATE.match(text):
            raise InvalidInput(f"{what} {text!r} needs a time of day too, e.g. '{text} 09:00'")
        return None
    today = now.astimezone(ZoneInfo(time_zone)).date()
    day = _day(day_word, clock, today, now, time_zone, want)
    try:
        return localize(datetime.combine(day, clock), time_zone)
    except InvalidInput as exc:  # a wall time that clocks skip or show twice
        raise InvalidInput(f"{what}: {exc}") from exc


def _is_day(word: str) -> bool:
    return word in _DAY_OFFSETS or _weekday(word) is not None or bool(_DATE.match(word))


def _weekday(word: str) -> int | None:
    if len(word) < 3:
        return None
    found = [i for i, name in enumerate(_WEEKDAYS) if name.startswith(word)]
    return found[0] if len(found) == 1 else None


def _clock(text: str) -> time | None:
    if text in _NAMED_CLOCKS:
        return _NAMED_CLOCKS[text]
    match = _CLOCK.match(text)
    if not match:
        return None
    hours, minutes, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem is None and match[2] is None:
        return None  # a bare number is not a time
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem == "pm" else 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def _day(
    word: str, clock: time, today: date, now: datetime, time_zone: str, want: Direction
) -> date:
    if not word:
        return today
    if word in _DAY_OFFSETS:
        return today + timedelta(days=_DAY_OFFSETS[word])
    if _DATE.match(word):
        try:
            return date.fromisoformat(word)
        except ValueError as exc:
            raise InvalidInput(f"{word!r} is not a date") from exc
    weekday = _weekday(word)
    assert weekday is not None
    if want == "past":
        back = (today.weekday() - weekday) % 7
        day = today - timedelta(days=back)
        if back == 0 and _at(day, clock, time_zone) > now:
            day -= timedelta(days=7)
        return day
    ahead = (weekday - today.weekday()) % 7
    day = today + timedelta(days=ahead)
    if ahead == 0 and _at(day, clock, time_zone) <= now:
        day += timedelta(days=7)
    return day


def _at(day: date, clock: time, time_zone: str) -> datetime:
    """The instant of a wall time, leniently (only to pick a week: localize checks)."""
    return datetime.combine(day, clock, ZoneInfo(time_zone)).astimezone(UTC)


def _iso(text: str, time_zone: str, what: str, guess: Callable[[], str | None]) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        meant = guess()
        hint = f"did you mean {meant}? " if meant else ""
        raise InvalidInput(f"malformed {what} {text!r}; {hint}{FORMS}") from exc
    if parsed.tzinfo is None:
        try:
            return localize(parsed, time_zone)
        except InvalidInput as exc:  # a wall time that clocks skip or show twice
            raise InvalidInput(f"{what}: {exc}") from exc
    return parsed.astimezone(UTC)


def _guess(text: str, time_zone: str, now: datetime, want: Direction) -> str | None:
    """What a time that reads as none most likely meant, quoted: a duration without its
    direction ("3h": 'in 3h'), or a misspelt word ("tomorow 3am": 'tomorrow 3am')."""
    if _DURATION.match(text):
        ahead, back = f"'in {text}'", f"'{text} ago'"
        return {"future": ahead, "past": back}.get(want or "", f"{ahead} or {back}")
    words = [_closest_word(w) for w in text.split()]
    fixed = " ".join(words)
    if fixed == text:
        return None
    try:
        parse_time(fixed, time_zone, now)
    except InvalidInput:
        return None
    return repr(fixed)


def _closest_word(word: str) -> str:
    if any(c.isdigit() for c in word) or len(word) < 3:
        return word
    close = difflib.get_close_matches(word, _VOCABULARY, n=1, cutoff=0.8)
    return close[0] if close else word


def _check_direction(
    at: datetime, value: str, time_zone: str, now: datetime, what: str, want: Direction
) -> None:
    shown = human(at, time_zone, now)
    if want == "future" and at <= now:
        text = " ".join(value.strip().lower().split())
        bare = _clock(text.replace(" am", "am").replace(" pm", "pm")) is not None
        hint = f"; for tomorrow write 'tomorrow {value.strip()}'" if bare else ""
        raise InvalidInput(f"{what} {value.strip()!r} is in the past ({shown}){hint}")
    if want == "past" and at > now:
        raise InvalidInput(f"{what} {value.strip()!r} is in the future ({shown})")


def local(value: datetime, time_zone: str) -> str:
    """A time as people read it in the page's time zone, with the zone's abbreviation."""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M %Z")


def ago(value: datetime, now: datetime) -> str:
    """How long ago (or in how long) a time is: "12 min ago", "in 2d 4h", "just now"."""
    seconds = int((now - value).total_seconds())
    if seconds < 0:
        return "in " + _span(-seconds)
    return "just now" if seconds < JUST_NOW else _span(seconds) + " ago"


JUST_NOW = 5  # seconds: "0s ago" right after a declare reads like a glitch


def overdue(value: datetime, now: datetime) -> str:
    """How late a due time is: "overdue by 12 min", or just "overdue" in its first seconds."""
    late = ago(value, now)
    return "overdue" if late == "just now" else "overdue by " + late.removesuffix(" ago")


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
