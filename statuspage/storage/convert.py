"""Conversions between Python values and their SQLite text form."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime


def ts(value: datetime) -> str:
    """A UTC timestamp in a fixed-width form, so text order is time order."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ts_or_none(value: datetime | None) -> str | None:
    return None if value is None else ts(value)


@functools.lru_cache(maxsize=4096)
def parse_ts(value: str) -> datetime:
    # Cached: the rows of one fan-out share their timestamps (and datetimes are immutable).
    return datetime.fromisoformat(value).astimezone(UTC)


def parse_ts_or_none(value: str | None) -> datetime | None:
    return None if value is None else parse_ts(value)


def parse_date_or_none(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
