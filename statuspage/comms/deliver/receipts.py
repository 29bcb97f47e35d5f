"""Delivery reports from a provider (Twilio's status callback) applied to outbox rows.

A report names the provider's message id. When its row is recorded as sent, the report
moves it on: delivered, or failed with the code (and its effects: an opt-out unsubscribes,
a filtered template is stopped, a queue overflow sends the message again, slower). A
report that comes before the send is recorded is kept and applied when it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from statuspage.comms.deliver.channels.twilio_codes import error_for
from statuspage.comms.deliver.effects import apply_effects
from statuspage.comms.deliver.outcomes import Block, Effects
from statuspage.comms.plan.schema import Plan
from statuspage.errors import ContentRejected, ProviderBusy, RecipientGone
from statuspage.storage import Queries
from statuspage.storage.delivery import Claimed
from statuspage.storage.outbox import OutboxState

DELIVERED = frozenset({"delivered", "read"})
NOT_DELIVERED = frozenset({"undelivered", "failed"})
SLOW_FOR = timedelta(minutes=5)  # how long a reported queue overflow slows the channel
RESEND_AFTER = timedelta(seconds=30)


async def record_report(
    q: Queries,
    plan: Plan | None,
    channel: str,
    provider_id: str,
    status: str,
    code: int | None,
    now: datetime,
    row_hint: int | None = None,
) -> str:
    """Apply one report; returns what it did (for logs and tests)."""
    status = status.strip().lower()
    if status not in DELIVERED | NOT_DELIVERED:
        return "ignored"
    found = await q.outbox_by_provider_id(channel, provider_id)
    if found is None or found.row.state not in (OutboxState.SENT, OutboxState.DELIVERED):
        await q.keep_receipt(provider_id, row_hint, status, str(code) if code else None, now)
        return "kept"
    return await apply_report(q, plan, found, status, code, now)


async def apply_report(
    q: Queries, plan: Plan | None, found: Claimed, status: str, code: int | None, now: datetime
) -> str:
    row = found.row
    if status in DELIVERED:
        await q.set_outcome(row.id, OutboxState.DELIVERED, now)
        return "delivered"
    error = error_for(code, None, status)
    reason = f"{status}: {error}"
    if isinstance(error, ProviderBusy):
        await q.set_outcome(row.id, OutboxState.QUEUED, now, code=error.provider_code,
                            error=reason, next_attempt_at=now + RESEND_AFTER)  # fmt: skip
        await q.throttle(row.channel, 0.5, now + SLOW_FOR, reason)
        return "requeued"
    await q.set_outcome(row.id, OutboxState.FAILED, now, code=error.provider_code, error=reason)
    effects = Effects()
    if isinstance(error, RecipientGone) and row.recipient_kind == "subscriber":
        effects = Effects(unsubscribe=row.recipient_id)
    elif isinstance(error, ContentRejected):
        block = Block(row.channel, row.template, row.language, error.provider_code, reason)
        effects = Effects(block=block)
    if plan is not None:
        await apply_effects(q, plan, row, effects, now)
    elif effects.unsubscribe:
        await q.unsubscribe(effects.unsubscribe, now)
    return "failed"


async def apply_kept_reports(
    q: Queries, plan: Plan | None, channel: str, provider_ids: list[str], now: datetime
) -> None:
    """Reports that waited for these sends to be recorded."""
    for provider_id, status, code in await q.take_receipts(provider_ids):
        found = await q.outbox_by_provider_id(channel, provider_id)
        if found is not None:
            await apply_report(q, plan, found, status, int(code) if code else None, now)
