"""The interface every channel implements, and what it is given and returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PostRef:
    """A post on the status account: its id (and Bluesky's content id)."""

    id: str
    ref: str | None = None


@dataclass(frozen=True)
class Message:
    """One rendered message to one address.

    `key` is stable for the outbox row (it survives retries and restarts): the webhook-id,
    the Mastodon Idempotency-Key, part of the e-mail Message-ID. `thread_key` names the
    conversation of one incident with one recipient; `opens_thread` is set on the first
    message of an incident. `reply_to` is the status account's thread (root, latest post).
    `unique` names this message among every database's: it is made of the random ids of its
    event and recipient (stable too), and the e-mail Message-ID is derived from it.
    """

    key: str
    channel: str
    to: str
    text: str
    created_at: datetime
    subject: str | None = None
    html: str | None = None
    language: str = "en"
    incident_id: str = ""
    thread_key: str = ""
    opens_thread: bool = False
    reply_to: tuple[PostRef, PostRef] | None = None
    unsubscribe_url: str | None = None
    unsubscribe_token: str | None = None
    segments: int = 1
    unique: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the provider said when it took the message."""

    provider_message_id: str | None = None
    post: PostRef | None = None


class Channel(Protocol):
    """Send one message; raise a DeliveryError subclass when it was not taken."""

    name: str

    async def send(self, message: Message) -> Receipt:
        """Hand the message to the provider; return its receipt."""
        ...

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        """After an ambiguous attempt: the receipt when the provider has the message, None
        when it does not. Raise TransientDeliveryError when it cannot tell yet. Channels
        with no way to ask return None: the message is sent again (with its idempotency
        key where the provider takes one)."""
        ...

    async def aclose(self) -> None:
        """Close connections."""
        ...
