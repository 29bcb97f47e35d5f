"""Confirming an address: opening a confirmation (and queueing its message), applying one.

Functions over one transaction's Queries, shared by the use cases, the dispatcher (the
test event of a webhook or Slack subscription was answered with a 2xx) and the SMS hook
(a reply of YES, or of the code).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import datetime

from statuspage.errors import Conflict
from statuspage.links import LinkSigner
from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.storage import Queries
from statuspage.storage.subscriptions import OwnMessage
from statuspage.subscriptions import (
    KINDS_BY_CHANNEL,
    Confirmation,
    Kind,
    SubscriptionPolicy,
    confirmation_kind,
)

log = logging.getLogger("statuspage.subscriptions")
ACTIVE = SubscriberState.ACTIVE


async def queue_message(
    q: Queries,
    s: Subscriber,
    kind: Kind,
    now: datetime,
    nonce: str | None = None,
    *,
    write: bool = True,
) -> bool:
    """Queue a message about the subscription, if its channel has that kind of message
    (and `write` is set); otherwise the same statements run and write nothing."""
    send = write and kind in KINDS_BY_CHANNEL[s.channel]
    await q.queue_own_message(OwnMessage(f"sub-{new_id()}", s, kind, nonce, now), write=send)
    return send


async def open_confirmation(
    q: Queries,
    s: Subscriber,
    policy: SubscriptionPolicy,
    now: datetime,
    new_address: str | None = None,
    new_country: str | None = None,
    *,
    write: bool = True,
) -> Confirmation:
    """A new confirmation (voiding any older one) and its message: the link, the code or
    the test event. `write=False` does the same work and writes nothing."""
    found = Confirmation(
        s.id, secrets.token_urlsafe(12), now, now + policy.confirm_ttl, now + policy.code_ttl,
        0, new_address, new_country,
    )  # fmt: skip
    await q.save_confirmation(found, write=write)
    await q.cancel_messages_to(
        s.id, "a newer confirmation replaced it", now, kinds=(Kind.CONFIRM, Kind.TEST),
        write=write,
    )  # fmt: skip
    await queue_message(q, s, confirmation_kind(s.channel), now, found.nonce, write=write)
    return found


async def close_confirmation(q: Queries, subscriber_id: str, why: str, now: datetime) -> None:
    """No confirmation awaits any more: drop it, and cancel its unsent link, code or test
    event (they would ask to confirm what needs no confirming)."""
    await q.delete_confirmation(subscriber_id)
    await q.cancel_messages_to(subscriber_id, why, now, kinds=(Kind.CONFIRM, Kind.TEST))


async def apply_confirmation(
    q: Queries, s: Subscriber, c: Confirmation, now: datetime
) -> Subscriber:
    """What was confirmed becomes true: the subscription is active, or the new address is
    the one written to. A welcome message follows a new subscription."""
    changed = s
    if c.new_address is not None and c.new_address != s.address:
        other = await q.find_subscriber(s.channel, c.new_address)
        if other is not None and other.state is ACTIVE:
            raise Conflict(
                "that address has a subscription of its own; change it from its own messages"
            )
        if other is not None:  # a stale pending or unsubscribed record of that address
            await q.erase_subscriber(other.id)
        country = c.new_phone_country or s.phone_country
        changed = replace(changed, address=c.new_address, phone_country=country)
    if changed.state is not ACTIVE:
        changed = replace(changed, state=ACTIVE, confirmed_at=now, unsubscribed_at=None)
    changed = replace(changed, updated_at=now)
    await q.save_subscriber(changed)
    await close_confirmation(q, s.id, "the confirmation is done already", now)
    if s.state is not ACTIVE:
        await queue_message(q, changed, Kind.WELCOME, now)
    return changed


async def confirm_probed(q: Queries, event_id: str, now: datetime) -> Subscriber | None:
    """A test event was answered with a 2xx: confirm what it tested, if it is still the
    latest confirmation of that subscriber."""
    detail = await q.own_message_detail(event_id)
    if detail is None or detail.get("kind") != Kind.TEST.value:
        return None
    s = await q.get_subscriber(str(detail["subscriber_id"]))
    c = await q.get_confirmation(str(detail["subscriber_id"]))
    if s is None or c is None or c.nonce != detail.get("nonce") or c.expired(now):
        return None
    try:
        return await apply_confirmation(q, s, c, now)
    except Conflict as exc:
        log.warning("subscriber %s: a confirmed change could not apply: %s", s.id, exc)
        return None


async def confirm_sms_reply(
    q: Queries, signer: LinkSigner, sender: str, word: str, now: datetime, attempts: int
) -> Subscriber | None:
    """A reply of YES (or of the code) from a number awaiting confirmation confirms it."""
    subscriber_id = await q.awaiting_at(Channel.SMS.value, sender)
    if subscriber_id is None:
        return None
    s = await q.get_subscriber(subscriber_id)
    c = await q.get_confirmation(subscriber_id)
    if s is None or c is None or c.expired(now):
        return None
    wrong = not (c.code_usable(now, attempts) and signer.code_matches(s.id, c.nonce, word))
    if word.isdigit() and wrong:
        await q.count_code_attempt(s.id)
        return None
    return await apply_confirmation(q, s, c, now)
