"""Claimed outbox rows -> messages ready for their channel, rendered at send time.

Rows do not store addresses: a subscriber's is read when the row is claimed (and a
subscriber who left meanwhile is skipped), an owner's comes from the comms plan (with
`${NAME}` read from the environment). What one event's messages share is built once and
kept a few seconds; only the recipient's own part is made per message.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from statuspage.comms.compose.context import Facts, Recipient, shared_vars
from statuspage.comms.compose.lengths import sms_length
from statuspage.comms.compose.personalise import Personaliser
from statuspage.comms.compose.render_row import Renderer
from statuspage.comms.compose.templates import Rendered, Templates
from statuspage.comms.deliver.alerts import alert_vars
from statuspage.comms.deliver.channels import Message, PostRef
from statuspage.comms.deliver.outcomes import Outcome, cancelled, failed
from statuspage.comms.deliver.own_messages import Load, OwnMessages, is_own_message
from statuspage.comms.plan.audience import ENV_REF, contact_address
from statuspage.comms.plan.schema import Channel, Plan
from statuspage.errors import StatuspageError
from statuspage.links import LinkSigner
from statuspage.model import Page
from statuspage.storage import Queries
from statuspage.storage.delivery import Claimed, Contact, Thread
from statuspage.storage.outbox import CommsEvent

FACTS_TTL = 5.0  # seconds an event's facts are reused before they are read again
OPENING_PHASES = frozenset({"declared", "maintenance_scheduled"})


@dataclass
class _EventFacts:
    event: CommsEvent
    facts: Facts
    read_at: float
    shared: dict[str, dict[str, Any]] = field(default_factory=dict)  # per language
    rendered: dict[tuple[str, str, str], Rendered | str] = field(default_factory=dict)


@dataclass
class Loaded:
    """What a claimed batch needs, read in the claim's transaction."""

    page: Page | None
    contacts: dict[str, Contact]
    events: dict[str, _EventFacts | str]  # event id -> facts, or why there are none
    threads: dict[str, Thread]
    blocked: set[tuple[str, str, str]]  # (channel, template, language)
    own: Load | None = None  # a subscriber's own messages (confirmations...)
    now: datetime | None = None


def skipped_reason(role: str, channel: str, raw: str | None) -> str:
    """Why an owner's message was not sent: their contact point is not set (not a failure)."""
    unset = ENV_REF.match(raw or "")
    how = f"set {unset.group(1)}" if unset else f"give the role a {channel} contact"
    return f"skipped: not configured (role {role} has no {channel} contact; {how})"


class Preparer:
    def __init__(
        self,
        plan: Plan,
        templates: Templates,
        signer: LinkSigner,
        environ: Mapping[str, str],
        clock: Any = time.monotonic,
    ) -> None:
        self.plan = plan
        self.templates = templates
        self.signer = signer
        self.environ = environ
        self.renderer = Renderer(plan, templates, signer, environ)
        self.personaliser = Personaliser(templates, signer, plan.sms.smart_encoding)
        self.own = OwnMessages(templates, signer, plan.sms.smart_encoding)
        self._clock = clock
        self._facts: dict[str, _EventFacts] = {}

    async def load(self, q: Queries, claimed: Sequence[Claimed], now: datetime) -> Loaded:
        own = [c for c in claimed if is_own_message(c)]
        rows = [c.row for c in claimed if not is_own_message(c)]
        subscribers = {r.recipient_id for r in rows if r.recipient_kind == "subscriber"}
        events: dict[str, _EventFacts | str] = {}
        for event_id in {r.event_id for r in rows}:
            events[event_id] = await self._event_facts(q, event_id, now)
        threads = {}
        for incident_id in {r.incident_id for r in rows if r.channel == Channel.SOCIAL.value}:
            thread = await q.get_thread(incident_id, Channel.SOCIAL.value)
            if thread is not None:
                threads[incident_id] = thread
        blocked: set[tuple[str, str, str]] = set()
        for channel in {r.channel for r in rows}:
            blocked |= {(channel, t, lang) for t, lang in await q.blocked_templates(channel)}
        contacts = await q.contacts(subscribers)
        loaded = Loaded(await q.get_page(), contacts, events, threads, blocked, now=now)
        loaded.own = await self.own.load(q, own) if own else None
        return loaded

    async def _event_facts(self, q: Queries, event_id: str, now: datetime) -> _EventFacts | str:
        cached = self._facts.get(event_id)
        if cached is not None and self._clock() - cached.read_at < FACTS_TTL:
            return cached
        event = await q.get_comms_event(event_id)
        if event is None:
            return f"event {event_id} no longer exists"
        try:
            facts = await self.renderer.facts(q, event, now)
        except StatuspageError as exc:
            return str(exc)
        if len(self._facts) > 256:
            self._facts.clear()
        found = self._facts[event_id] = _EventFacts(event, facts, self._clock())
        return found

    async def message(self, c: Claimed, loaded: Loaded) -> Message | Outcome:
        """The row's message, or the outcome that settles it without sending."""
        row = c.row
        if loaded.own is not None and is_own_message(c):
            return self.own.message(c, loaded.own, loaded.now or row.created_at)
        known = loaded.events.get(row.event_id)
        if not isinstance(known, _EventFacts):
            return cancelled(c, known or "its event is gone")
        if (row.channel, row.template, row.language) in loaded.blocked:
            return failed(c, f"SMS of template {row.template} are stopped: a carrier filtered "
                          "it; reword it, then `statuspage comms retry`", "30007")  # fmt: skip
        recipient = await self._recipient(c, loaded)
        if isinstance(recipient, Outcome):
            return recipient
        try:
            rendered = self._render(known, recipient, row.template, row.language)
        except (TemplateError, StatuspageError, ValueError) as exc:
            return failed(c, f"template {row.channel}/{row.template} does not render: {exc}")
        return self._message(c, known, recipient, rendered, loaded)

    async def _recipient(self, c: Claimed, loaded: Loaded) -> Recipient | Outcome:
        row = c.row
        if row.recipient_kind == "subscriber":
            contact = loaded.contacts.get(row.recipient_id)
            if contact is None:
                return cancelled(c, "the subscriber no longer exists")
            if contact.state != "active":
                return cancelled(c, f"the subscriber is {contact.state}")
            return Recipient("subscriber", row.channel, row.language, contact.id, contact.address)
        if row.recipient_kind == "owner":
            owner = self.plan.owners.get(row.recipient_id)
            if owner is None:
                return failed(c, f"role {row.recipient_id} is no longer in the comms plan")
            raw = owner.contacts.get(Channel(row.channel))
            address = contact_address(raw, self.environ) if raw else None
            if not address:
                return cancelled(c, skipped_reason(row.recipient_id, row.channel, raw))
            return Recipient("owner", row.channel, row.language, address=address, owner=owner)
        handle = self.plan.social.handle if self.plan.social else None
        if not handle:
            return failed(c, "the comms plan names no social account")
        return Recipient("public", row.channel, row.language, address=handle)

    def _render(self, known: _EventFacts, r: Recipient, template: str, language: str) -> Rendered:
        shared = known.shared.get(language)
        if shared is None:
            shared = known.shared[language] = {
                **shared_vars(known.facts, language), "alert": alert_vars(known.event.detail),
            }  # fmt: skip
        if r.subscriber_id is not None:
            return self.personaliser.render(known.facts, shared, r, template, known.rendered)
        return self.personaliser.full(known.facts, shared, r, template)

    def _message(
        self, c: Claimed, known: _EventFacts, r: Recipient, rendered: Rendered, loaded: Loaded
    ) -> Message:
        row = c.row
        page_id = loaded.page.id if loaded.page else "page"
        unsubscribe = token = None
        if r.subscriber_id is not None and loaded.page is not None:
            token = self.personaliser.personal(r.subscriber_id).unsubscribe
            unsubscribe = f"{loaded.page.url.rstrip('/')}/subscriptions/unsubscribe?token={token}"
        thread = loaded.threads.get(row.incident_id)
        reply_to = None
        if thread is not None:
            reply_to = (
                PostRef(thread.root_id, thread.root_ref),
                PostRef(thread.last_id, thread.last_ref),
            )
        return Message(
            key=f"{page_id}.{row.id}",
            channel=row.channel,
            to=r.address or "",
            text=rendered.text,
            created_at=row.created_at,
            subject=rendered.subject,
            html=rendered.html,
            language=row.language,
            incident_id=row.incident_id,
            thread_key=f"{row.incident_id}.{row.recipient_kind}.{row.recipient_id}",
            opens_thread=known.event.phase in OPENING_PHASES,
            reply_to=reply_to,
            unsubscribe_url=unsubscribe,
            unsubscribe_token=token,
            segments=sms_length(rendered.text).segments if row.channel == "sms" else 1,
            unique=f"{row.event_id}/{row.recipient_kind}/{row.recipient_id}/{row.channel}",
        )
