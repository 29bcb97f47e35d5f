"""Subscribers as the staff manage them (CLI and Manage API): list, add, unsubscribe,
reactivate, tag, count, and data requests (everything we hold; erasure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from statuspage.confirmations import open_confirmation, queue_message
from statuspage.errors import Conflict, InvalidInput
from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.service.context import ServiceContext
from statuspage.service.subscription_base import (
    SubscriptionRules,
    check_tags,
    parse_channel,
)
from statuspage.storage import Queries
from statuspage.subscriptions import TESTED, AwaitingConfirmation, Kind, SubscriberData

ACTIVE, PENDING = SubscriberState.ACTIVE, SubscriberState.PENDING
UNSUBSCRIBED = SubscriberState.UNSUBSCRIBED


@dataclass(frozen=True)
class NewSubscriber:
    channel: Channel
    address: str
    phone_country: str | None = None
    components: tuple[str, ...] | None = None  # ids or names; None: every component
    tags: tuple[str, ...] = ()
    language: str = "en"
    skip_confirmation: bool = False


@dataclass(frozen=True)
class SubscriberEdit:
    """A change; None leaves a field as it is. `components=()` means every component."""

    components: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    language: str | None = None


class Subscribers:
    """The operator's subscriber use cases: list, add, edit, erase, purge."""

    def __init__(self, ctx: ServiceContext, rules: SubscriptionRules) -> None:
        self.ctx = ctx
        self.rules = rules

    async def list_subscribers(
        self,
        *,
        channel: str | None = None,
        state: str | None = None,
        tag: str | None = None,
        component: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str = "created_at",
        descending: bool = False,
    ) -> list[Subscriber]:
        """Subscribers matching every filter (a component by id or name), oldest first
        (or by `order`: created_at or address)."""
        async with self.ctx.read() as q:
            component_id = (await self.ctx.component(q, component)).id if component else None
            return await q.list_subscribers(
                channel=_channel(channel), state=_state(state), tag=tag,
                component_id=component_id, search=search, limit=limit, offset=offset,
                order=order, descending=descending,
            )  # fmt: skip

    async def purge_times(self, subscriber_ids: list[str]) -> dict[str, datetime]:
        """When each pending subscription is deleted if not confirmed (purge_at)."""
        async with self.ctx.read() as q:
            return await q.confirmation_expiries(subscriber_ids)

    async def get_subscriber(self, ref: str) -> Subscriber:
        async with self.ctx.read() as q:
            return await self.rules.subscriber_by_ref(q, ref)

    async def add_subscriber(self, new: NewSubscriber) -> Subscriber:
        """A subscriber, confirmed at once with `skip_confirmation` (webhooks and Slack are
        still tested first unless skipped), else sent a confirmation."""
        address = await self.rules.checked_address(
            new.channel, new.address, new.phone_country, resolve=False
        )
        tags = check_tags(new.tags)
        async with self.ctx.write(public=False) as q:
            wanted = await self.rules.wanted(q, new.components, new.language)
            found = await q.find_subscriber(address.channel, address.value)
            if found is not None:
                raise Conflict(_known(found))
            now = self.ctx.now()
            state = ACTIVE if new.skip_confirmation else PENDING
            s = Subscriber(
                new_id(), address.channel, address.value, state, now, now,
                all_components=wanted.component_ids is None,
                component_ids=wanted.component_ids or (), tags=tags, language=wanted.language,
                phone_country=address.phone_country,
                confirmed_at=now if new.skip_confirmation else None,
            )  # fmt: skip
            await q.save_subscriber(s)
            if not new.skip_confirmation:
                await open_confirmation(q, s, self.ctx.subscription_policy, now)
            return s

    async def edit_subscriber(self, ref: str, edit: SubscriberEdit) -> Subscriber:
        async with self.ctx.write(public=False) as q:
            s = await self.rules.subscriber_by_ref(q, ref)
            changed = await self._subscriber_edited(q, s, edit)
            if changed != s:
                changed = replace(changed, updated_at=self.ctx.now())
                await q.save_subscriber(changed)
            return changed

    async def _subscriber_edited(
        self, q: Queries, s: Subscriber, edit: SubscriberEdit
    ) -> Subscriber:
        if edit.components is not None or edit.language is not None:
            if edit.components is None:
                refs = None if s.all_components else s.component_ids
            else:
                refs = edit.components or None
            wanted = await self.rules.wanted(q, refs, edit.language or s.language)
            ids = wanted.component_ids
            s = replace(s, all_components=ids is None, component_ids=ids or (),
                        language=wanted.language)  # fmt: skip
        tags = set(check_tags(edit.tags) if edit.tags is not None else s.tags)
        tags = (tags | set(check_tags(edit.add_tags))) - set(check_tags(edit.remove_tags))
        return replace(s, tags=tuple(sorted(tags)))

    async def unsubscribe_subscribers(self, refs: Sequence[str]) -> list[Subscriber]:
        """Unsubscribe each (in one transaction); unsent messages to them are cancelled."""
        done = []
        async with self.ctx.write(public=False) as q:
            for ref in refs:
                s = await self.rules.subscriber_by_ref(q, ref)
                if s.state is not UNSUBSCRIBED:
                    now = self.ctx.now()
                    s = replace(s, state=UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
                    await q.save_subscriber(s)
                    await q.delete_confirmation(s.id)
                    await q.cancel_messages_to(s.id, "unsubscribed by the staff", now)
                done.append(s)
        return done

    async def reactivate_subscribers(self, refs: Sequence[str]) -> list[Subscriber]:
        """Subscribe the unsubscribed again (they asked the staff to): e-mail and SMS at
        once, webhooks and Slack after a test event is answered."""
        done = []
        async with self.ctx.write(public=False) as q:
            for ref in refs:
                s = await self.rules.subscriber_by_ref(q, ref)
                if s.state is UNSUBSCRIBED:
                    s = await self._reactivate(q, s)
                done.append(s)
        return done

    async def _reactivate(self, q: Queries, s: Subscriber) -> Subscriber:
        now = self.ctx.now()
        state = PENDING if s.channel in TESTED else ACTIVE
        s = replace(s, state=state, unsubscribed_at=None, updated_at=now)
        await q.save_subscriber(s)
        if state is PENDING:
            await open_confirmation(q, s, self.ctx.subscription_policy, now)
        else:
            await queue_message(q, s, Kind.WELCOME, now)
        return s

    async def resend_confirmations(self, refs: Sequence[str]) -> list[Subscriber]:
        """A new confirmation for each pending subscriber (older links stop working)."""
        done = []
        async with self.ctx.write(public=False) as q:
            for ref in refs:
                s = await self.rules.subscriber_by_ref(q, ref)
                if s.state is PENDING:
                    await open_confirmation(q, s, self.ctx.subscription_policy, self.ctx.now())
                    done.append(s)
        return done

    async def count_subscribers(
        self, *, state: str | None = None, tag: str | None = None, component: str | None = None
    ) -> dict[str, int]:
        """Subscribers per channel (every channel listed, 0 included)."""
        async with self.ctx.read() as q:
            component_id = (await self.ctx.component(q, component)).id if component else None
            wanted = _state(state)
            found = await q.count_by_channel(
                state=wanted.value if wanted else None, tag=tag, component_id=component_id
            )
        return {c.value: found.get(c.value, 0) for c in Channel}

    async def subscriber_data(self, ref: str) -> SubscriberData:
        """Everything we hold on one subscriber, for a data request."""
        async with self.ctx.read() as q:
            s = await self.rules.subscriber_by_ref(q, ref)
            names = {c.id: c.name for c in await q.list_components()}
            c = await q.get_confirmation(s.id)
            return SubscriberData(
                s,
                None if s.all_components else tuple(names.get(i, i) for i in s.component_ids),
                None if c is None else AwaitingConfirmation(
                    c.new_address, c.sent_at, c.expires_at, c.attempts
                ),
                await q.messages_to(s.id),
            )  # fmt: skip

    async def erase_subscriber(self, ref: str) -> Subscriber:
        """Delete a subscriber and every message addressed to them (an erasure request)."""
        async with self.ctx.write(public=False) as q:
            s = await self.rules.subscriber_by_ref(q, ref)
            await q.erase_subscriber(s.id)
            await q.forget_rate_keys(self._address_keys(s))
            return s

    def _address_keys(self, s: Subscriber) -> list[str]:
        value = f"{s.channel.value}:{s.address}"
        if not self.ctx.subscription_policy.secret_key:
            return []
        return [self.ctx.signer.keyed(scope, value) for scope in ("subscribe", "pending", "code")]

    async def purge_unconfirmed(self) -> int:
        """Delete subscriptions never confirmed in time, and expired changes of address."""
        async with self.ctx.write(public=False) as q:
            now = self.ctx.now()
            expired = await q.unconfirmed_expired(now)
            for subscriber_id in expired:
                await q.erase_subscriber(subscriber_id)
            await q.drop_expired_confirmations(now)
            await q.drop_expired_rates(self.ctx.now().timestamp())
        return len(expired)


def _channel(value: str | None) -> Channel | None:
    return parse_channel(value) if value else None


def _state(value: str | None) -> SubscriberState | None:
    if not value or value == "all":
        return None
    aliases = {"unconfirmed": "pending"}  # Statuspage's name for pending
    value = aliases.get(value.strip().lower(), value.strip().lower())
    for state in SubscriberState:
        if state.value == value:
            return state
    raise InvalidInput(f"invalid state {value!r}; accepted values: active, pending, "
                       "unsubscribed, all")  # fmt: skip


def _known(s: Subscriber) -> str:
    if s.state is UNSUBSCRIBED:
        return (f"{s.address} unsubscribed; they subscribe again themselves, or reactivate "
                f"them if they asked you to ({s.id})")  # fmt: skip
    return f"{s.address} is already a subscriber ({s.id}, {s.state.value})"
