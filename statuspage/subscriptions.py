"""Self-service subscriptions: the messages a subscription sends about itself, what waits
for a confirmation, and the policy (limits, lifetimes) the settings give it.

Pure domain: nothing here reads settings, the database or the network. The app and the
CLI build a `SubscriptionPolicy` from the settings; the use cases in
statuspage.service.subscriptions follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from statuspage.model import Channel, Subscriber

# Outbox rows of a subscriber's own messages carry this segment and no incident. A plan's
# segment names cannot begin with "~", so the two never meet.
SUBSCRIPTION_SEGMENT = "~subscription"
SUBSCRIPTION_PRIORITY = 0  # before any incident message: a confirmation is awaited now


class Kind(StrEnum):
    """A message about the subscription itself; the value names its phase and template."""

    CONFIRM = "subscription_confirm"  # the signed link (e-mail) or the code (SMS)
    WELCOME = "subscription_welcome"  # confirmed: what they get, how to stop
    KNOWN = "subscription_known"  # asked again while subscribed: here is the manage link
    TEST = "subscription_test"  # webhook/Slack: must be answered with 2xx to activate


KINDS_BY_CHANNEL: dict[Channel, tuple[Kind, ...]] = {
    Channel.EMAIL: (Kind.CONFIRM, Kind.WELCOME, Kind.KNOWN),
    Channel.SMS: (Kind.CONFIRM, Kind.WELCOME, Kind.KNOWN),
    Channel.WEBHOOK: (Kind.TEST,),
    Channel.SLACK: (Kind.TEST,),
}
TESTED = frozenset({Channel.WEBHOOK, Channel.SLACK})  # activated by a 2xx, not by a person


def confirmation_kind(channel: Channel) -> Kind:
    """What is sent to confirm an address on this channel."""
    return Kind.TEST if channel in TESTED else Kind.CONFIRM


@dataclass(frozen=True)
class Confirmation:
    """What waits for a subscriber's confirmation: the subscription itself, or a new address."""

    subscriber_id: str
    nonce: str
    sent_at: datetime
    expires_at: datetime
    code_expires_at: datetime
    attempts: int = 0
    new_address: str | None = None
    new_phone_country: str | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def code_usable(self, now: datetime, max_attempts: int) -> bool:
        return now < self.code_expires_at and self.attempts < max_attempts


@dataclass(frozen=True)
class SubscriptionPolicy:
    """Lifetimes and limits of self-service subscriptions (README, "Settings")."""

    secret_key: str = field(default="", repr=False)
    confirm_ttl: timedelta = timedelta(hours=48)
    code_ttl: timedelta = timedelta(hours=1)
    code_attempts: int = 5
    pending_cap: int = 5  # confirmations sent to one address within confirm_ttl
    rate_ip: int = 10  # subscribe requests per client address per hour
    rate_address: int = 3  # subscribe requests per subscriber address per hour
    confirm_rate_ip: int = 30  # confirmation attempts per client address per hour
    allow_http: bool = False
    allow_private: bool = False
    default_country: str = "US"
    sms_countries: tuple[str, ...] = ()  # empty: any country
    resolve_hosts: bool = True  # look webhook hosts up when subscribing (off: tests)


@dataclass(frozen=True)
class ProbeStatus:
    """Where the test event of a webhook or Slack subscription stands (manage page, JSON)."""

    state: str  # queued, sending, sent, failed, cancelled...
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class AwaitingConfirmation:
    new_address: str | None  # None: the subscription itself waits, not a change of address
    sent_at: datetime
    expires_at: datetime
    wrong_codes: int


@dataclass(frozen=True)
class SubscriberData:
    """Everything we hold on one subscriber (a data request); statuspage.serialize shows it."""

    subscriber: Subscriber
    components: tuple[str, ...] | None  # their names; None: every component
    awaiting_confirmation: AwaitingConfirmation | None
    messages: list[dict[str, Any]]  # every outbox row addressed to them, as stored
