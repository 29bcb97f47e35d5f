"""What the subscription use cases share: the policy, tokens, addresses, components."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from statuspage import languages
from statuspage.addresses import Address, Rules, check_host, normalise
from statuspage.errors import InvalidField, InvalidInput, NotFound, RateLimited
from statuspage.model import ID_LENGTH, Channel, Subscriber, parse_enum, unknown_name
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries
from statuspage.storage.ratelimits import Limit

HOUR = 3600.0
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$")
_ID = re.compile(rf"^[a-z0-9]{{{ID_LENGTH}}}$")


@dataclass(frozen=True)
class Wanted:
    """What a subscriber asks for: every component (None) or these, in this language."""

    component_ids: tuple[str, ...] | None
    language: str = "en"


class SubscriptionRules:
    """What the subscription use cases share: addresses, components, rate limits, refs."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def checked_address(
        self, channel: Channel, raw: str, country: str | None, *, resolve: bool
    ) -> Address:
        """The normalised address; a URL's host is looked up too when `resolve` is set."""
        found = normalise(channel, raw, country, self.ctx.address_rules)
        policy = self.ctx.subscription_policy
        if resolve and policy.resolve_hosts and channel in (Channel.WEBHOOK, Channel.SLACK):
            await check_host(found.value, policy.allow_private)
        return found

    async def wanted(self, q: Queries, refs: Sequence[str] | None, language: str = "en") -> Wanted:
        """Components by id or name (None: all of them) and a language, checked."""
        language = check_language(language)
        if refs is None:
            return Wanted(None, language)
        if not refs:
            raise InvalidField("components", "Choose at least one component, or all of them.")
        ids: list[str] = []
        for ref in refs:
            found = await q.find_component(ref.strip())
            if found is None:
                names = [c.name for c in await q.list_components()]
                raise InvalidField(
                    "components",
                    f"There is no component {ref!r}.",
                    unknown_name("component", ref, names, "components"),
                )
            if found.id not in ids:
                ids.append(found.id)
        return Wanted(tuple(sorted(ids)), language)

    async def take_rate(self, limits: Sequence[Limit]) -> None:
        """Count one request against each limit (in a transaction of its own, so a refused
        request still counts); RateLimited with the wait when one is exhausted."""
        async with self.ctx.write(public=False) as q:
            wait = await q.take(limits, self.ctx.now().timestamp())
        if wait:
            raise RateLimited(f"too many requests; try again in {wait} s", retry_after=wait)

    def client_limit(self, scope: str, client: str, per_hour: int) -> Limit:
        return Limit(self.ctx.signer.keyed(scope, client_network(client)), per_hour, HOUR)

    def address_limit(self, scope: str, a: Address, count: int, period: float) -> Limit:
        return Limit(self.ctx.signer.keyed(scope, f"{a.channel.value}:{a.value}"), count, period)

    async def subscriber_by_ref(self, q: Queries, ref: str) -> Subscriber:
        """A subscriber by id, or by address (e-mail, number or URL) as typed."""
        ref = ref.strip()
        found = await q.get_subscriber(ref) if _ID.match(ref) else None
        for channel in _channels_for(ref) if found is None else ():
            try:
                value = normalise(channel, ref, None, _ANY).value
            except InvalidInput:
                continue
            found = await q.find_subscriber(channel, value)
            if found is not None:
                break
        if found is None:
            raise NotFound(f"unknown subscriber {ref!r}; see `statuspage subscribers list`")
        return found


_ANY = Rules(allow_http=True, allow_private=True)


def _channels_for(ref: str) -> tuple[Channel, ...]:
    if "://" in ref:
        return (Channel.WEBHOOK, Channel.SLACK)
    if "@" in ref:
        return (Channel.EMAIL,)
    return (Channel.SMS,)


def client_network(client: str) -> str:
    """The unit a client is limited as: its IPv4 address, or its IPv6 /64 (one host
    usually has a whole /64 to pick addresses from)."""
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if isinstance(ip, ipaddress.IPv6Address) else str(ip)


def parse_channel(value: str) -> Channel:
    return parse_enum(Channel, value.strip().lower(), "channel")


def check_language(code: str) -> str:
    """A subscriber's language as a tag. A shipped language however it is written (zh-CN,
    zh_hans and zh are zh-Hans; ru-RU is ru); another language Babel knows as given (de,
    pt_BR: messages go out in it when the comms templates have it, in en until then)."""
    wanted = (code or "").strip()
    shipped = languages.canonical(wanted) if wanted else None
    if shipped is not None:
        return shipped
    babel = wanted.replace("-", "_")
    try:
        known = str(Locale.parse(babel)) if LANGUAGE.match(wanted) else None
    except (ValueError, LookupError, UnknownLocaleError):
        known = None
    if known != babel:  # unknown, or an alias such as eng (en_US)
        choices = ", ".join(languages.codes())
        raise InvalidField("language", "Choose one of the languages offered.",
                           f"unknown language {code!r}; choose one of {choices} "
                           "(or another language code like de or pt_BR)")  # fmt: skip
    return wanted


def check_tags(tags: Sequence[str]) -> tuple[str, ...]:
    found: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if not TAG.match(tag):
            raise InvalidField("tags", f"bad tag {tag!r}: letters, digits and _ . : - (at most 50)")
        if tag not in found:
            found.append(tag)
    return tuple(sorted(found))
