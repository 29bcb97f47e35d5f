"""A subscriber's own messages (confirmation, welcome, "already subscribed", test event),
rendered at send time like every other message.

A confirmation goes to the address being confirmed (a new one, while a change of address
waits) and only while it is still the latest: a newer confirmation, a confirmation done,
an expiry or an unsubscribe cancels it. Templates: `<language>/<channel>/<kind>.*` in the
plan's template directories (the shipped ones in statuspage/templates/comms), en when the
subscriber's language has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from statuspage.addresses import display_phone
from statuspage.comms.compose.context import WEBHOOK_DOCS
from statuspage.comms.compose.lengths import sms_length
from statuspage.comms.compose.templates import Rendered, Templates
from statuspage.comms.compose.wording import local_datetime, local_names
from statuspage.comms.deliver.channels import Message
from statuspage.comms.deliver.outcomes import Outcome, cancelled, failed
from statuspage.comms.plan.schema import Channel as PlanChannel
from statuspage.errors import StatuspageError
from statuspage.links import LinkSigner, confirm_url, subscriber_links
from statuspage.model import Channel, Component, Page, Subscriber, SubscriberState
from statuspage.serialize import iso
from statuspage.storage import Queries
from statuspage.storage.delivery import Claimed
from statuspage.subscriptions import SUBSCRIPTION_SEGMENT, Confirmation, Kind

CONFIRMING = frozenset({Kind.CONFIRM, Kind.TEST})


def is_own_message(c: Claimed) -> bool:
    return c.row.segment == SUBSCRIPTION_SEGMENT


@dataclass(frozen=True)
class Target:
    """Who one row goes to and why: the subscriber, the confirmation, the event's nonce."""

    subscriber: Subscriber
    kind: Kind
    nonce: str | None
    confirmation: Confirmation | None


@dataclass
class Load:
    page: Page | None
    components: list[Component] = field(default_factory=list)
    targets: dict[int, Target | str] = field(default_factory=dict)  # row id -> target or why not


class OwnMessages:
    def __init__(self, templates: Templates, signer: LinkSigner, smart_sms: bool) -> None:
        self.templates = templates
        self.signer = signer
        self.smart_sms = smart_sms

    async def load(self, q: Queries, claimed: Sequence[Claimed]) -> Load:
        """What the claimed rows need, read in the claim's transaction."""
        found = Load(await q.get_page())
        if claimed:
            found.components = list(await q.list_components())
        for c in claimed:
            found.targets[c.row.id] = await _target(q, c)
        return found

    def message(self, c: Claimed, load: Load, now: datetime) -> Message | Outcome:
        target = load.targets.get(c.row.id, "it was not loaded")
        if isinstance(target, str):
            return cancelled(c, target)
        why_not = _stale(target, now)
        if why_not or load.page is None:
            return cancelled(c, why_not or "the page is gone")
        try:
            rendered = self._render(c, target, load.page, load.components, now)
        except (TemplateError, StatuspageError, ValueError) as exc:
            return failed(c, f"template {c.row.channel}/{c.row.template} does not render: {exc}")
        return self._message(c, target, load.page, rendered)

    def _render(
        self, c: Claimed, t: Target, page: Page, components: list[Component], now: datetime
    ) -> Rendered:
        channel = PlanChannel(c.row.channel)
        language = self.templates.language_for(channel, t.kind.value, t.subscriber.language)
        named, names = local_names(page, components, language)
        variables = self._variables(t, named, names, language, now)
        return self.templates.render(
            channel, t.kind.value, language, variables, smart_sms=self.smart_sms
        )

    def _variables(
        self, t: Target, page: Page, names: dict[str, str], language: str, now: datetime
    ) -> dict[str, Any]:
        s = t.subscriber
        links = {"page": page.url.rstrip("/"), "subscribe": page.url.rstrip("/") + "/subscribe",
                 "documentation": WEBHOOK_DOCS, "confirm": None,
                 **subscriber_links(page.url, s.id, self.signer)}  # fmt: skip
        confirmation = None
        if t.kind in CONFIRMING and t.confirmation is not None and t.nonce is not None:
            confirmation = self._confirmation(t, t.confirmation, page, language)
            links["confirm"] = confirmation["link"]
        return {
            "page": {"id": page.id, "name": page.name, "url": page.url,
                     "time_zone": page.time_zone},
            "subscription": _subscription(t, names),
            "confirmation": confirmation,
            "links": links,
            "subscriber": {"id": s.id, "channel": s.channel.value, "language": language},
            "recipient": {"kind": "subscriber", "channel": s.channel.value,
                          "language": language, "role": None},
            "generated_at": iso(now),
        }  # fmt: skip

    def _confirmation(
        self, t: Target, c: Confirmation, page: Page, language: str
    ) -> dict[str, Any]:
        assert t.nonce is not None
        s = t.subscriber
        code = self.signer.code(s.id, t.nonce) if s.channel is Channel.SMS else None
        return {
            "link": confirm_url(page.url, self.signer.confirm_token(s.id, t.nonce)),
            "code": code,
            "expires_at": local_datetime(c.expires_at, page.time_zone, language),
            "hours": round((c.expires_at - c.sent_at).total_seconds() / 3600),
            "code_minutes": round((c.code_expires_at - c.sent_at).total_seconds() / 60),
            "new_address": c.new_address is not None,
        }

    def _message(self, c: Claimed, t: Target, page: Page, rendered: Rendered) -> Message:
        row, s = c.row, t.subscriber
        to = s.address
        if t.kind in CONFIRMING and t.confirmation and t.confirmation.new_address:
            to = t.confirmation.new_address
        token = None if t.kind in CONFIRMING else self.signer.token(s.id, "unsubscribe")
        unsubscribe = f"{page.url.rstrip('/')}/subscriptions/unsubscribe?token={token}"
        return Message(
            key=f"{page.id}.{row.id}", channel=row.channel, to=to, text=rendered.text,
            created_at=row.created_at, subject=rendered.subject, html=rendered.html,
            language=rendered.language, thread_key=f"subscription.{s.id}.{row.id}",
            opens_thread=True, unsubscribe_url=unsubscribe if token else None,
            unsubscribe_token=token,
            segments=sms_length(rendered.text).segments if row.channel == "sms" else 1,
            unique=f"{row.event_id}/{s.id}/{row.id}",
        )  # fmt: skip


async def _target(q: Queries, c: Claimed) -> Target | str:
    detail = await q.own_message_detail(c.row.event_id)
    if detail is None:
        return "its event is gone"
    s = await q.get_subscriber(c.row.recipient_id)
    if s is None:
        return "the subscriber no longer exists"
    try:
        kind = Kind(c.row.template)
    except ValueError:
        return f"unknown kind of subscription message {c.row.template!r}"
    nonce = detail.get("nonce")
    confirmation = await q.get_confirmation(s.id)
    return Target(s, kind, str(nonce) if nonce else None, confirmation)


def _stale(t: Target, now: datetime) -> str | None:
    """Why a message should no longer go out (None: it should)."""
    s, c = t.subscriber, t.confirmation
    if s.state is SubscriberState.UNSUBSCRIBED:
        return "the subscriber unsubscribed"
    if t.kind not in CONFIRMING:
        return None if s.state is SubscriberState.ACTIVE else f"the subscriber is {s.state}"
    if c is None:
        return "the confirmation is done already"
    if c.nonce != t.nonce:
        return "a newer confirmation replaced it"
    return "the confirmation expired" if c.expired(now) else None


def _subscription(t: Target, names: dict[str, str]) -> dict[str, Any]:
    s = t.subscriber
    address = s.address
    if t.kind in CONFIRMING and t.confirmation and t.confirmation.new_address:
        address = t.confirmation.new_address
    shown = display_phone(address) if s.channel is Channel.SMS else address
    return {
        "id": s.id,
        "channel": s.channel.value,
        "address": shown,
        "state": s.state.value,
        "all_components": s.all_components,
        "components": [names[c] for c in s.component_ids if c in names],
        "component_ids": list(s.component_ids),
    }
