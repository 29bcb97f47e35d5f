"""What a send's result means for its outbox row, and what else it sets off.

One place decides, for a result of `Channel.send` or a provider's later report: the row's
new state (sent, queued again with a backoff, failed with the provider's code and reason,
cancelled), and the effects that go with it in the same transaction: an opted-out
subscriber unsubscribed, a filtered template blocked and its owners alerted, a social
post remembered for the thread, a busy provider slowing the channel down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from statuspage.comms.deliver.channels import PostRef, Receipt
from statuspage.comms.deliver.retry import RetryPolicy
from statuspage.errors import (
    AmbiguousDelivery,
    ContentRejected,
    DeliveryError,
    PermanentDeliveryError,
    ProviderBusy,
    RecipientGone,
    TransientDeliveryError,
)
from statuspage.storage.delivery import Claimed, Settlement
from statuspage.storage.outbox import OutboxState
from statuspage.subscriptions import SUBSCRIPTION_SEGMENT, Kind

SENT, RETRY, FAILED, CANCELLED, BUSY, AMBIGUOUS = (
    "sent",
    "retry",
    "failed",
    "cancelled",
    "busy",
    "ambiguous",
)


@dataclass(frozen=True)
class Block:
    channel: str
    template: str
    language: str
    code: str | None
    reason: str


@dataclass(frozen=True)
class Effects:
    unsubscribe: str | None = None  # subscriber id
    block: Block | None = None  # and alert the incident's owners
    post: PostRef | None = None  # the status account's new post in the incident's thread
    busy: ProviderBusy | None = None  # the provider asked the channel to slow down
    confirm: str | None = None  # a subscription's test event got a 2xx: its event id


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    settlement: Settlement
    kind: str  # sent, retry, failed, cancelled, busy, ambiguous
    effects: Effects = field(default_factory=Effects)

    @property
    def row_id(self) -> int:
        return self.claimed.row.id


def sent(claimed: Claimed, receipt: Receipt) -> Outcome:
    row = claimed.row
    settlement = Settlement(
        row.id, OutboxState.SENT, provider_message_id=receipt.provider_message_id
    )
    probe = row.segment == SUBSCRIPTION_SEGMENT and row.template == Kind.TEST.value
    effects = Effects(post=receipt.post, confirm=row.event_id if probe else None)
    return Outcome(claimed, settlement, SENT, effects)


def cancelled(claimed: Claimed, reason: str) -> Outcome:
    return Outcome(
        claimed, Settlement(claimed.row.id, OutboxState.CANCELLED, error=reason), CANCELLED
    )


def failed(claimed: Claimed, reason: str, code: str | None = None) -> Outcome:
    settlement = Settlement(claimed.row.id, OutboxState.FAILED, provider_code=code, error=reason)
    return Outcome(claimed, settlement, FAILED)


def after_error(
    claimed: Claimed,
    error: DeliveryError,
    policy: RetryPolicy,
    now: datetime,
    ambiguous_since: datetime | None = None,
) -> Outcome:
    """The row's fate after the channel raised `error`. `ambiguous_since`: an earlier
    attempt's outcome is still unknown (a lookup failed), so the row stays ambiguous."""
    if isinstance(error, PermanentDeliveryError):
        return _permanent(claimed, error)
    assert isinstance(error, TransientDeliveryError)
    row, reason = claimed.row, _reason(error)
    if isinstance(error, ProviderBusy):
        settlement = Settlement(
            row.id, OutboxState.QUEUED, provider_code=error.provider_code, error=reason,
            next_attempt_at=policy.busy_attempt(now, error.retry_after), refund=True,
            ambiguous_since=ambiguous_since,
        )  # fmt: skip
        return Outcome(claimed, settlement, BUSY, Effects(busy=error))
    if policy.gives_up(row.attempts):
        gave_up = f"gave up after {row.attempts} attempts: {reason}"
        if ambiguous_since is not None:
            gave_up += " (an attempt may have reached the provider; check before resending)"
        return failed(claimed, gave_up, error.provider_code)
    if isinstance(error, AmbiguousDelivery):
        ambiguous_since = ambiguous_since or now
    if ambiguous_since is not None:
        next_at = policy.ambiguous_attempt(now, row.attempts)
    else:
        next_at = policy.next_attempt(now, row.attempts, error.retry_after)
    settlement = Settlement(
        row.id, OutboxState.QUEUED, provider_code=error.provider_code, error=reason,
        next_attempt_at=next_at, ambiguous_since=ambiguous_since,
    )  # fmt: skip
    return Outcome(claimed, settlement, AMBIGUOUS if ambiguous_since else RETRY)


def _permanent(claimed: Claimed, error: PermanentDeliveryError) -> Outcome:
    row, reason = claimed.row, _reason(error)
    base = failed(claimed, reason, error.provider_code)
    if isinstance(error, RecipientGone) and row.recipient_kind == "subscriber":
        return Outcome(claimed, base.settlement, FAILED, Effects(unsubscribe=row.recipient_id))
    if isinstance(error, ContentRejected):
        block = Block(row.channel, row.template, row.language, error.provider_code, reason)
        return Outcome(claimed, base.settlement, FAILED, Effects(block=block))
    return base


def _reason(error: DeliveryError) -> str:
    code = f"{error.provider_code}: " if error.provider_code else ""
    text = str(error)
    return text if text.startswith(code) else code + text
