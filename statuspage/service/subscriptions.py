"""Self-service subscriptions: subscribe, confirm, manage, unsubscribe (the public pages).

Subscribing answers the same whatever the address's state, so nobody learns who is
subscribed: a new or pending address gets a confirmation, an active one a note with its
manage link (or, for webhooks, nothing), an address over its cap of confirmations nothing.
Rate limits are counted in a transaction of their own before the work.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from statuspage.addresses import Address, normalise
from statuspage.confirmations import apply_confirmation, open_confirmation, queue_message
from statuspage.errors import InvalidField
from statuspage.links import LinkExpired, LinkInvalid
from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.service.context import ServiceContext
from statuspage.service.subscription_base import HOUR, SubscriptionRules, Wanted
from statuspage.storage import Queries
from statuspage.subscriptions import TESTED, Confirmation, Kind, ProbeStatus

ACTIVE, PENDING = SubscriberState.ACTIVE, SubscriberState.PENDING
UNSUBSCRIBED = SubscriberState.UNSUBSCRIBED
WRONG_CODE = "That code is not right, or it has expired. Check the latest SMS we sent."
REPLACED = "This link was replaced by a newer one; use the latest message we sent."


@dataclass(frozen=True)
class SubscribeRequest:
    channel: Channel
    address: str
    phone_country: str | None = None
    components: tuple[str, ...] | None = None  # ids or names; None: every component
    language: str = "en"


@dataclass(frozen=True)
class Managed:
    """A subscription as its manage page shows it."""

    subscriber: Subscriber
    confirmation: Confirmation | None = None  # awaiting: the subscription or a new address
    probe: ProbeStatus | None = None  # the latest test event (webhook, Slack)


@dataclass(frozen=True)
class ManageChange:
    components: tuple[str, ...] | None
    language: str
    new_address: str = ""
    new_phone_country: str | None = None


class Subscriptions:
    """The subscriber's own use cases: subscribe, confirm, manage, unsubscribe."""

    def __init__(self, ctx: ServiceContext, rules: SubscriptionRules) -> None:
        self.ctx = ctx
        self.rules = rules

    async def subscribe(self, req: SubscribeRequest, client: str) -> Address:
        """Ask for a subscription; returns the address the confirmation goes to."""
        address = await self.rules.checked_address(
            req.channel, req.address, req.phone_country, resolve=True
        )
        p = self.ctx.subscription_policy
        await self.rules.take_rate([
            self.rules.client_limit("subscribe", client, p.rate_ip),
            self.rules.address_limit("subscribe", address, p.rate_address, HOUR),
        ])  # fmt: skip
        async with self.ctx.write(public=False) as q:
            wanted = await self.rules.wanted(q, req.components, req.language)
            await self._subscribe(q, address, wanted)
        return address

    async def _subscribe(self, q: Queries, address: Address, wanted: Wanted) -> None:
        now, p = self.ctx.now(), self.ctx.subscription_policy
        existing = await q.find_subscriber(address.channel, address.value)
        cap = self.rules.address_limit(
            "pending", address, p.pending_cap, p.confirm_ttl.total_seconds()
        )
        if await q.take([cap], self.ctx.now().timestamp()):
            return  # enough confirmations went to this address lately: send nothing more
        # The same statements whether or not the address is subscribed already (each
        # writes or not by a flag), so the time taken does not tell: a new address is
        # saved (audited) and sent a confirmation; a subscribed one keeps its choices,
        # records the request (updated_at, audited the same way) and is sent a note.
        known = existing is not None and existing.state is ACTIVE
        if existing is not None and known:
            subscriber = replace(existing, updated_at=now)
        else:
            subscriber = _asked(existing, address, wanted, now)
        await q.save_subscriber(subscriber)
        await open_confirmation(q, subscriber, p, now, write=not known)
        await queue_message(q, subscriber, Kind.KNOWN, now, write=known)

    # -- confirming ---------------------------------------------------------------------

    def _confirm_token(self, token: str) -> tuple[str, str]:
        found = self.ctx.signer.confirmed(token, self.ctx.subscription_policy.confirm_ttl)
        if found is None:
            raise LinkInvalid("This confirmation link is not valid.")
        return found

    async def _awaiting(self, q: Queries, token: str) -> tuple[Subscriber, Confirmation | None]:
        """The subscriber and confirmation a link answers; None when it was done already."""
        subscriber_id, nonce = self._confirm_token(token)
        s = await q.get_subscriber(subscriber_id)
        c = await q.get_confirmation(subscriber_id)
        if s is None:
            raise LinkInvalid("This subscription no longer exists; subscribe again.")
        if c is None and s.state is ACTIVE:
            return s, None
        if c is None or c.nonce != nonce:
            raise LinkInvalid(REPLACED)
        if c.expired(self.ctx.now()):
            raise LinkExpired("This confirmation link has expired; subscribe again.")
        return s, c

    async def confirmation(self, token: str) -> Managed:
        """What a confirmation link would confirm (the page before the button)."""
        async with self.ctx.read() as q:
            s, c = await self._awaiting(q, token)
        return Managed(s, c)

    async def confirm_link(self, token: str, client: str) -> Subscriber:
        p = self.ctx.subscription_policy
        await self.rules.take_rate([self.rules.client_limit("confirm", client, p.confirm_rate_ip)])
        async with self.ctx.write(public=False) as q:
            s, c = await self._awaiting(q, token)
            return s if c is None else await apply_confirmation(q, s, c, self.ctx.now())

    async def confirm_code(
        self, phone: str, country: str | None, code: str, client: str
    ) -> Subscriber:
        """Confirm an SMS subscription (or a new number) with the code we sent to it."""
        address = normalise(Channel.SMS, phone, country, self.ctx.address_rules)
        code = "".join(code.split())
        if not (code.isdigit() and len(code) == 6):
            raise InvalidField("code", "Enter the 6-digit code from the SMS.")
        p = self.ctx.subscription_policy
        await self.rules.take_rate([
            self.rules.client_limit("confirm", client, p.confirm_rate_ip),
            self.rules.address_limit("code", address, p.code_attempts, p.code_ttl.total_seconds()),
        ])  # fmt: skip
        async with self.ctx.write(public=False) as q:
            done = await self._try_code(q, address.value, code)
        if done is None:  # after the commit: the wrong attempt stays counted
            raise InvalidField("code", WRONG_CODE)
        return done

    async def _try_code(self, q: Queries, number: str, code: str) -> Subscriber | None:
        subscriber_id = await q.awaiting_at(Channel.SMS.value, number)
        s = await q.get_subscriber(subscriber_id) if subscriber_id else None
        c = await q.get_confirmation(subscriber_id) if subscriber_id else None
        if s is None or c is None:
            return None
        now, attempts = self.ctx.now(), self.ctx.subscription_policy.code_attempts
        if not c.code_usable(now, attempts) or not self.ctx.signer.code_matches(
            s.id, c.nonce, code
        ):
            await q.count_code_attempt(s.id)
            return None
        return await apply_confirmation(q, s, c, now)

    # -- managing -----------------------------------------------------------------------

    async def _by_token(self, q: Queries, token: str, *purposes: str) -> Subscriber:
        for purpose in purposes:
            subscriber_id = self.ctx.signer.subscriber_id(token, purpose)
            found = await q.get_subscriber(subscriber_id) if subscriber_id else None
            if found is not None:
                return found
            if subscriber_id is not None:
                raise LinkInvalid("This subscription no longer exists.")
        raise LinkInvalid("This link is not valid.")

    async def managed(self, token: str, purpose: str = "manage") -> Managed:
        async with self.ctx.read() as q:
            s = await self._by_token(q, token, purpose)
            return await self._view(q, s)

    async def _view(self, q: Queries, s: Subscriber) -> Managed:
        probe = await q.probe_status(s.id) if s.channel in TESTED else None
        return Managed(s, await q.get_confirmation(s.id), probe)

    async def manage(self, token: str, change: ManageChange) -> tuple[Managed, bool]:
        """Change components, language or address; True when a new address awaits its
        confirmation (messages keep going to the old one meanwhile)."""
        async with self.ctx.read() as q:
            s = await self._by_token(q, token, "manage")
        new = await self._new_address(s, change)
        async with self.ctx.write(public=False) as q:
            s = await self._by_token(q, token, "manage")
            wanted = await self.rules.wanted(q, change.components, change.language)
            s = replace(s, all_components=wanted.component_ids is None,
                        component_ids=wanted.component_ids or (), language=wanted.language,
                        updated_at=self.ctx.now())  # fmt: skip
            await q.save_subscriber(s)
            if new is not None:
                p = self.ctx.subscription_policy
                await open_confirmation(q, s, p, self.ctx.now(), new.value, new.phone_country)
            return await self._view(q, s), new is not None

    async def _new_address(self, s: Subscriber, change: ManageChange) -> Address | None:
        if not change.new_address.strip():
            return None
        found = await self.rules.checked_address(
            s.channel, change.new_address, change.new_phone_country, resolve=True
        )
        if found.value == s.address:
            return None
        p = self.ctx.subscription_policy
        await self.rules.take_rate(
            [
                self.rules.address_limit(
                    "pending", found, p.pending_cap, p.confirm_ttl.total_seconds()
                )
            ]
        )
        return found

    async def unsubscribe_link(self, token: str) -> Subscriber:
        """Unsubscribe at once (the one-click POST, or the manage page's button)."""
        async with self.ctx.write(public=False) as q:
            s = await self._by_token(q, token, "unsubscribe", "manage")
            if s.state is UNSUBSCRIBED:
                return s
            now = self.ctx.now()
            s = replace(s, state=UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
            await q.save_subscriber(s)
            await q.delete_confirmation(s.id)
            await q.cancel_messages_to(s.id, "the subscriber unsubscribed", now)
            return s

    async def resubscribe_link(self, token: str) -> Managed:
        """Undo an unsubscribe from a manage link. A webhook or Slack URL is tested again."""
        async with self.ctx.write(public=False) as q:
            s = await self._by_token(q, token, "manage")
            now = self.ctx.now()
            if s.state is UNSUBSCRIBED and s.channel in TESTED:
                s = replace(s, state=PENDING, unsubscribed_at=None, updated_at=now)
                await q.save_subscriber(s)
                await open_confirmation(q, s, self.ctx.subscription_policy, now)
            elif s.state is UNSUBSCRIBED:
                s = replace(s, state=ACTIVE, unsubscribed_at=None, updated_at=now)
                await q.save_subscriber(s)
                await queue_message(q, s, Kind.WELCOME, now)
            return await self._view(q, s)

    async def retest(self, token: str) -> Managed:
        """Send a webhook's or Slack URL's test event again (after fixing the receiver)."""
        async with self.ctx.read() as q:
            s = await self._by_token(q, token, "manage")
        p = self.ctx.subscription_policy
        address = Address(s.channel, s.address)
        await self.rules.take_rate(
            [
                self.rules.address_limit(
                    "pending", address, p.pending_cap, p.confirm_ttl.total_seconds()
                )
            ]
        )
        async with self.ctx.write(public=False) as q:
            s = await self._by_token(q, token, "manage")
            c = await q.get_confirmation(s.id)
            if s.channel in TESTED and (s.state is PENDING or c is not None):
                new = c.new_address if c else None
                country = c.new_phone_country if c else None
                await open_confirmation(q, s, p, self.ctx.now(), new, country)
            return await self._view(q, s)


def _asked(existing: Subscriber | None, a: Address, wanted: Wanted, now: datetime) -> Subscriber:
    """The pending subscriber a request makes (anew, or from a pending or former one)."""
    ids = wanted.component_ids
    if existing is None:
        return Subscriber(
            new_id(), a.channel, a.value, PENDING, now, now, all_components=ids is None,
            component_ids=ids or (), language=wanted.language, phone_country=a.phone_country,
        )  # fmt: skip
    return replace(
        existing, state=PENDING, all_components=ids is None, component_ids=ids or (),
        language=wanted.language, phone_country=a.phone_country, updated_at=now,
        unsubscribed_at=None,
    )  # fmt: skip
