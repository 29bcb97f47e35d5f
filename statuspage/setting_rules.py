"""What one setting accepts: a Rule parses the raw value and says in words what is allowed.

config.py holds the table (one Rule per setting); this module holds the kinds of rule. A
raw value is a string from the environment or a TOML value from the settings file; a rule
turns it into the setting's type (ValueError when it cannot) and checks the typed value,
so settings made in code are held to the same ranges.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers


@dataclass(frozen=True)
class Rule:
    accepts: str  # completes "STATUSPAGE_X must be ...": "a number of seconds between 1 and 60"
    parse: Callable[[Any], Any]  # raw value -> typed value; ValueError when it is not one
    valid: Callable[[Any], bool]  # is a typed value within the rule?


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueError(raw)
    return float(raw.strip() if isinstance(raw, str) else raw)


def _whole(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(raw)
    return int(raw.strip() if isinstance(raw, str) else raw)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(low: float, high: float, what: str = "a number", *, above: bool = False) -> Rule:
    """A finite number from `low` (excluded when `above`) to `high`."""
    start = f"above {_fmt(low)}" if above else f"between {_fmt(low)}"
    accepts = f"{what} {start} and {'at most ' if above else ''}{_fmt(high)}"

    def valid(value: Any) -> bool:
        if not _is_number(value) or not math.isfinite(value):
            return False
        return bool((value > low if above else value >= low) and value <= high)

    return Rule(accepts, _number, valid)


def seconds(low: float, high: float) -> Rule:
    return number(low, high, "a number of seconds")


def rate(high: float, unit: str) -> Rule:
    return number(0, high, f"a number of {unit} a second", above=True)


def count(low: int, high: int, what: str = "a whole number") -> Rule:
    accepts = f"{what} between {low} and {high}"
    return Rule(accepts, _whole, lambda v: isinstance(v, int) and low <= v <= high)


def port() -> Rule:
    return count(1, 65535, "a port number")


FLAGS = {"true": True, "1": True, "yes": True, "on": True,
         "false": False, "0": False, "no": False, "off": False}  # fmt: skip


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in FLAGS:
        return FLAGS[raw.strip().lower()]
    raise ValueError(raw)


def flag() -> Rule:
    accepts = "true or false (or 1/0, yes/no, on/off)"
    return Rule(accepts, _flag, lambda v: isinstance(v, bool))


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(raw)
    return raw


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit and not _CONTROL.search(value)


def text(limit: int, *, required: bool = False) -> Rule:
    """One line of text, at most `limit` characters (and not empty when `required`)."""
    accepts = f"{'a' if required else 'empty or a'} line of text of at most {limit} characters"
    return Rule(accepts, _text, lambda v: _plain(v, limit) and (bool(v.strip()) or not required))


def token(limit: int = 512) -> Rule:
    """A credential or identifier: no spaces or control characters."""
    accepts = f"empty or at most {limit} characters without spaces"
    return Rule(accepts, _text, lambda v: _plain(v, limit) and " " not in v)


def host() -> Rule:
    """A host name or IP address to listen on: not empty, no spaces."""
    accepts = "a host name or IP address (such as 127.0.0.1)"
    return Rule(accepts, _text, lambda v: _plain(v, 253) and bool(v) and " " not in v)


def choice(*values: str) -> Rule:
    accepts = "one of " + ", ".join(values)
    return Rule(accepts, lambda raw: _text(raw).strip().lower(), lambda v: v in values)


def database() -> Rule:
    """An SQLite file path, or a postgresql:// URL."""

    def parse(raw: Any) -> Any:
        from statuspage.storage.location import location

        return location(raw if isinstance(raw, Path) else _text(raw))

    def valid(value: Any) -> bool:
        shown = str(value)
        return _plain(shown, 4096) and bool(shown) and shown != "."

    return Rule("a file path or a postgresql:// URL", parse, valid)


def path(*, required: bool = False) -> Rule:
    accepts = "a file path" if required else "empty or a file path"

    def parse(raw: Any) -> Path | str:
        if isinstance(raw, Path):
            return raw
        return Path(_text(raw)) if required else _text(raw)

    def valid(value: Any) -> bool:
        shown = str(value) if isinstance(value, (str, Path)) else None
        if shown is None or not _plain(shown, 4096):
            return False
        return bool(shown) and shown != "." if required else True

    return Rule(accepts, parse, valid)


def _is_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def url(*, required: bool = False) -> Rule:
    accepts = "an http:// or https:// URL" if required else "empty or an http(s):// URL"
    return Rule(
        accepts,
        lambda raw: _text(raw).strip(),
        lambda v: _plain(v, 2048) and (_is_url(v) if v or required else True),
    )


def url_template(placeholder: str) -> Rule:
    """Empty, or an http(s) URL that holds `placeholder` (filled in when it is used)."""
    accepts = f"empty or an http(s):// URL containing {placeholder}"

    def valid(value: Any) -> bool:
        if not _plain(value, 2048) or not value:
            return _plain(value, 2048)
        return placeholder in value and _is_url(value.replace(placeholder, "x"))

    return Rule(accepts, lambda raw: _text(raw).strip(), valid)


_S3 = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s?#]*)?")


def s3_url() -> Rule:
    """Empty, or s3://bucket/prefix (a bucket name as S3 allows it)."""
    accepts = "empty or an s3://bucket/prefix URL"
    return Rule(
        accepts,
        lambda raw: _text(raw).strip(),
        lambda v: _plain(v, 1024) and (not v or bool(_S3.fullmatch(v))),
    )


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def email(*, mailbox: bool = False) -> Rule:
    """An e-mail address (`mailbox`: also `Name <address>`), or empty."""
    accepts = 'empty or an e-mail address like "Acme Status <status@acme.example>"'
    if not mailbox:
        accepts = "empty or an e-mail address like status@acme.example"

    def valid(value: Any) -> bool:
        if not _plain(value, 320) or not value:
            return _plain(value, 320)
        address = parseaddr(value)[1] if mailbox else value
        return bool(_EMAIL.fullmatch(address))

    return Rule(accepts, lambda raw: _text(raw).strip(), valid)


def contact() -> Rule:
    """security.txt's Contact: an e-mail address, or an https/http, mailto: or tel: URI."""
    accepts = "empty, an e-mail address, or an https://, mailto: or tel: URI"

    def valid(value: Any) -> bool:
        if not _plain(value, 2048) or not value:
            return _plain(value, 2048)
        if value.startswith(("mailto:", "tel:")):
            return " " not in value and bool(value.partition(":")[2])
        return _is_url(value) or bool(_EMAIL.fullmatch(value))

    return Rule(accepts, lambda raw: _text(raw).strip(), valid)


def time_zone() -> Rule:
    def valid(value: Any) -> bool:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            return False
        return True

    return Rule("an IANA time zone like Europe/Berlin", _text, valid)


def country() -> Rule:
    return Rule(
        "a country code (ISO 3166 alpha-2, like US) that phone numbers know",
        lambda raw: _text(raw).strip().upper(),
        lambda v: v in phonenumbers.SUPPORTED_REGIONS,
    )


def countries() -> Rule:
    def valid(value: Any) -> bool:
        codes = [c.strip().upper() for c in value.split(",")] if isinstance(value, str) else [0]
        return all(c in phonenumbers.SUPPORTED_REGIONS for c in codes if c != "")

    accepts = "empty or country codes (ISO 3166 alpha-2) separated by commas, like US,CA"
    return Rule(accepts, _text, valid)


def names(known: Iterable[str]) -> Rule:
    """A comma-separated subset of `known` (case-insensitive)."""
    allowed = tuple(known)

    def valid(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return all(n.strip().lower() in allowed for n in value.split(",") if n.strip())

    return Rule("a comma-separated list of " + ", ".join(allowed), _text, valid)


def webhook_secret() -> Rule:
    def valid(value: Any) -> bool:
        if value == "":
            return True
        if not isinstance(value, str) or not value.startswith("whsec_"):
            return False
        try:
            return len(base64.b64decode(value.removeprefix("whsec_"), validate=True)) >= 24
        except (binascii.Error, ValueError):
            return False

    return Rule("empty or whsec_ and at least 24 bytes in base64", _text, valid)


# The secret key signs links and derives SMS codes: guessing it would let anyone manage any
# subscription. A generated key (`statuspage secret generate`) has some 380 bits.
KEY_MIN_LENGTH = 32
KEY_MIN_DISTINCT = 12  # a 64-digit hex key often lacks one of the 16 digits
KEY_MIN_BITS = 128


def key_bits(key: str) -> float:
    """An upper estimate of a key's entropy: its length times the Shannon entropy of its
    characters' frequencies. "a" * 64 has 0 bits; a random URL-safe key ~6 per character."""
    if not key:
        return 0.0
    frequencies = [key.count(c) / len(key) for c in set(key)]
    return -len(key) * sum(p * math.log2(p) for p in frequencies)


def repeats(key: str) -> bool:
    """Whether a part of the key recurs: more than 1 in 10 of its 4-character runs seen before.

    Frequencies miss "abcdefghijklmnop" * 4; a random key almost never repeats a run (a
    64-character hex key has one repeat in some 35 keys, well under the 10 %).
    """
    runs = [key[i : i + 4] for i in range(len(key) - 3)]
    return len(runs) - len(set(runs)) > len(runs) / 10


def strong_key(key: str) -> bool:
    return (
        len(key.encode()) >= KEY_MIN_LENGTH
        and len(set(key)) >= KEY_MIN_DISTINCT
        and key_bits(key) >= KEY_MIN_BITS
        and not repeats(key)
    )


def secret_key() -> Rule:
    accepts = (
        f"empty or a random key of at least {KEY_MIN_LENGTH} characters, "
        f"{KEY_MIN_DISTINCT} of them different, no part repeated, and some {KEY_MIN_BITS} bits of "
        "randomness; "
        "make one with `statuspage secret generate`"
    )
    return Rule(accepts, _text, lambda v: isinstance(v, str) and (v == "" or strong_key(v)))


def of_type(kind: type) -> Rule:
    """A rule for a setting that has none of its own: any value of its type (numbers finite)."""
    if kind is bool:
        return flag()
    if kind is int:
        return Rule("a whole number", _whole, lambda v: _is_number(v) and isinstance(v, int))
    if kind is float:
        return Rule("a finite number", _number, lambda v: _is_number(v) and math.isfinite(v))
    if issubclass(kind, Path):
        return path(required=True)
    return Rule("text", _text, lambda v: isinstance(v, str))


def generate_key() -> str:
    """A new secret key: 48 random bytes, URL-safe (64 characters)."""
    return secrets.token_urlsafe(48)
