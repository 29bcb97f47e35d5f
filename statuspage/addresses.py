"""Subscriber addresses as people type them -> the one form we store, or a clear refusal.

E-mail is lower-cased (its domain in ASCII); phone numbers become E.164 with their
country (phonenumbers); webhook and Slack URLs must be https (unless allowed) and must
not name a private, loopback or link-local address: the SSRF guard of the channels checks
literal addresses here (in every notation the HTTP client and the resolver accept, after
NFKC and IDNA: `target_host`), and every address a name resolves to when subscribing and
again when sending.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

from statuspage.errors import InvalidField, PermanentDeliveryError
from statuspage.model import Channel
from statuspage.url_guard import RefusedTarget, check_url, target_host

MAX_EMAIL = 254
MAX_URL = 2048
_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
FIELDS = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.WEBHOOK: "url",
          Channel.SLACK: "url"}  # fmt: skip


@dataclass(frozen=True)
class Address:
    """A normalised address and, for SMS, the number's country (ISO 3166 alpha-2)."""

    channel: Channel
    value: str
    phone_country: str | None = None


@dataclass(frozen=True)
class Rules:
    allow_http: bool = False
    allow_private: bool = False
    default_country: str = "US"
    sms_countries: tuple[str, ...] = ()  # empty: any


def normalise(channel: Channel, raw: str, country: str | None, rules: Rules) -> Address:
    """The address to store; InvalidField (named after the form field) when it will not do."""
    text = (raw or "").strip()
    field = FIELDS[channel]
    if not text:
        raise InvalidField(field, _EMPTY[channel], f"the {channel.value} address is empty")
    if channel is Channel.EMAIL:
        return Address(channel, email(text))
    if channel is Channel.SMS:
        number, region = phone(text, country or rules.default_country, rules.sms_countries)
        return Address(channel, number, region)
    return Address(channel, url(text, rules))


_EMPTY = {
    Channel.EMAIL: "Enter your e-mail address.",
    Channel.SMS: "Enter your mobile number.",
    Channel.WEBHOOK: "Enter the URL of your webhook endpoint.",
    Channel.SLACK: "Enter your Slack incoming-webhook URL.",
}


def email(text: str) -> str:
    """alice@example.com: one @, a dotted domain, nothing else (no display name)."""
    local, at, domain = text.lower().rpartition("@")
    problem = InvalidField("email", "Enter an e-mail address like name@example.com.",
                           f"{text!r} is not an e-mail address like name@example.com")  # fmt: skip
    if not at or len(text) > MAX_EMAIL or not _LOCAL.match(local) or ".." in local:
        raise problem
    if local.startswith(".") or local.endswith("."):
        raise problem
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise problem from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise problem
    return f"{local}@{ascii_domain}"


def phone(text: str, country: str, allowed: tuple[str, ...] = ()) -> tuple[str, str]:
    """(+14155550123, "US") for a number written in any usual way in `country`."""
    region = (country or "").strip().upper()
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidField("phone_country", "Choose the number's country.",
                           f"unknown country {country!r}; give a two-letter code such as "
                           "US or DE")  # fmt: skip
    try:
        parsed = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidField(
            "phone",
            "Enter a mobile number, like +1 415 555 0123.",
            f"{text!r} is not a phone number like +1 415 555 0123",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        where = (
            ""
            if text.startswith("+")
            else (f" in {region}; give it with its country code, like +1 415 555 0123")
        )
        raise InvalidField("phone", "This is not a valid phone number for that country.",
                           f"{text!r} is not a valid phone number{where}")  # fmt: skip
    found = phonenumbers.region_code_for_number(parsed) or region
    if allowed and found not in allowed:
        raise InvalidField("phone", "We cannot send SMS to numbers in that country.",
                           f"{text!r} is a number in {found}; SMS may go to numbers in "
                           f"{', '.join(allowed)} only")  # fmt: skip
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise InvalidField("phone", "This looks like a landline; SMS needs a mobile number.",
                           f"{text!r} is a landline number; SMS needs a mobile one")  # fmt: skip
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), found


def display_phone(number: str) -> str:
    """+1 415-555-0123: an E.164 number as people read it."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def url(text: str, rules: Rules) -> str:
    """An https URL (http when allowed) whose host is not a private address."""
    if len(text) > MAX_URL or any(c.isspace() or _control(c) for c in text):
        raise _url_problem(text, "")
    try:
        check_url(text, allow_http=rules.allow_http, allow_private=rules.allow_private)
        port = urlsplit(text).port
    except (PermanentDeliveryError, ValueError) as exc:
        raise _url_problem(text, str(exc)) from exc
    del port  # parsed only to refuse a malformed port
    return text


def _control(char: str) -> bool:
    """A control character or a lone surrogate: never in a URL (RFC 3986), and shown raw
    they would drive the terminal of whoever lists the subscribers."""
    return unicodedata.category(char) in ("Cc", "Cs")


def _shown(url: str) -> str:
    return repr(url if len(url) <= 100 else url[:100] + "...")


def _url_problem(url: str, why: str) -> InvalidField:
    shown = _shown(url)
    if "not public" in why:
        return _not_public(shown)
    if "host" in why:
        public = ("The URL's host name is too long: at most 63 characters between dots."
                  if "too long" in why else "The URL's host name is not valid.")  # fmt: skip
        return InvalidField("url", public, f"{shown}: {why.removeprefix('refused: ')}")
    if "scheme" in why:
        return InvalidField("url", "The URL must start with https://.",
                            f"{shown} must start with https://")  # fmt: skip
    return InvalidField("url", "Enter a URL like https://example.com/hooks/status.",
                        f"{shown} is not a URL like https://example.com/hooks/status")  # fmt: skip


def _not_public(shown: str) -> InvalidField:
    return InvalidField(
        "url", "The URL must lead to a public address, not a private or local one.",
        f"{shown} leads to a private or local address; only public ones are allowed",
    )  # fmt: skip


async def check_host(address: str, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to a private address (or to none), as the channels
    would when sending; a name is checked again, by the same guard, at every send."""
    from statuspage.url_resolver import GuardedResolver  # aiohttp: only when resolving

    try:
        host = target_host(address)  # the host the client will look up, as it will
        await GuardedResolver(allow_private).resolve(host, 443)
    except RefusedTarget as exc:
        raise _not_public(_shown(address)) from exc
    except ValueError as exc:  # UnicodeError included: a host the resolver cannot encode
        raise _url_problem(address, str(exc)) from exc
    except OSError as exc:
        raise InvalidField("url", "We cannot find that host; check the URL.",
                           f"cannot find the host {host!r}; check the URL") from exc  # fmt: skip


def countries(language: str, allowed: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
    """(code, name, calling code) of every country SMS may go to, by name."""
    from babel import Locale  # the subscribe form's only: the CLI starts without it

    try:
        names = Locale.parse(language).territories
    except (ValueError, LookupError):
        names = Locale("en").territories
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        if allowed and region not in allowed:
            continue
        code = phonenumbers.country_code_for_region(region)
        found.append((region, names.get(region, region), code))
    return sorted(found, key=lambda c: c[1])
