"""What every use case shares: one frozen context with the store, the clock, the sinks, the
comms hooks and the subscription policy, and the lookups the use cases have in common."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from statuspage.addresses import Rules
from statuspage.errors import InvalidInput, NotFound
from statuspage.events import Clock, Event, Notice, utcnow
from statuspage.links import LinkSigner
from statuspage.model import (
    AffectedComponent,
    ChangeCause,
    Component,
    ComponentStatus,
    Impact,
    Incident,
    StatusChange,
    parse_enum,
    unknown_name,
)
from statuspage.storage import Queries, Store
from statuspage.subscriptions import SubscriptionPolicy

# What sees an event inside its transaction (the comms kit writes outbox rows there); the
# sinks that hear of a change after it commits are statuspage.events.EventSink.
TransactionSink = Callable[[Queries, Event], Awaitable[None]]


class CommsHooks(Protocol):
    """What a comms plan adds to the use cases (statuspage.comms.kit implements it)."""

    def severity(self, name: str | None, impact: str | None = None) -> str | None:
        """The plan's name for a severity, or the one an impact implies; InvalidInput if none."""

    def impact_for(self, severity: str) -> Impact | None:
        """The impact the plan gives a severity."""

    async def on_event(self, q: Queries, event: Event) -> None:
        """Plan and enqueue the event's messages, in the change's transaction."""

    async def on_tick(self, q: Queries, now: datetime) -> Sequence[Notice]:
        """Cadence reminders and other timed messages that are due."""


@dataclass(frozen=True)
class ServiceContext:
    """The shared state of the focused services; each is built with the same one.

    `sinks` stays a list: the CLI adds its preview sink to a built service, and the demo
    clears them, so the services see the same sinks the facade shows."""

    store: Store
    clock: Clock = utcnow
    sinks: list[TransactionSink] = field(default_factory=list)
    comms: CommsHooks | None = None
    subscription_policy: SubscriptionPolicy = field(default_factory=SubscriptionPolicy)

    @classmethod
    def build(
        cls,
        store: Store,
        clock: Clock = utcnow,
        sinks: Sequence[TransactionSink] = (),
        comms: CommsHooks | None = None,
        subscription_policy: SubscriptionPolicy | None = None,
    ) -> ServiceContext:
        """The context; a comms plan's `on_event` joins the sinks after the given ones."""
        all_sinks = list(sinks) + ([comms.on_event] if comms is not None else [])
        policy = subscription_policy or SubscriptionPolicy()
        return cls(store, clock, all_sinks, comms, policy)

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def write(self, *, public: bool = True) -> AbstractAsyncContextManager[Queries]:
        """One write transaction, stamped in the audit log with the context's clock."""
        return self.store.write(public=public, at=self.now())

    def read(self) -> AbstractAsyncContextManager[Queries]:
        return self.store.read()

    @property
    def signer(self) -> LinkSigner:
        return LinkSigner(self.subscription_policy.secret_key)

    @property
    def address_rules(self) -> Rules:
        p = self.subscription_policy
        return Rules(p.allow_http, p.allow_private, p.default_country, p.sms_countries)

    async def emit(self, q: Queries, event: Event) -> None:
        for sink in self.sinks:
            await sink(q, event)

    async def time_zone(self) -> str:
        """The page's time zone, in which messages show times (UTC before there is a page)."""
        async with self.read() as q:
            page = await q.get_page()
        return page.time_zone if page is not None else "UTC"

    async def incident(self, q: Queries, incident_id: str) -> Incident:
        found = await q.get_incident(incident_id.strip())
        if found is None:
            raise NotFound(f"unknown incident {incident_id!r}; see `statuspage incident list`")
        return found

    async def component(self, q: Queries, ref: str) -> Component:
        found = await q.find_component(ref.strip())
        if found is None:
            names = [c.name for c in await q.list_components()]
            raise NotFound(unknown_name("component", ref, names, "components"))
        return found

    async def components_with_status(
        self, q: Queries, specs: Sequence[tuple[str, str | None]]
    ) -> list[tuple[Component, ComponentStatus | None]]:
        """Resolve (NAME_OR_ID, STATUS or None) pairs; refuse unknown names, bad statuses."""
        resolved: list[tuple[Component, ComponentStatus | None]] = []
        seen: set[str] = set()
        for ref, status in specs:
            component = await self.component(q, ref)
            if component.id in seen:
                raise InvalidInput(f"component {component.name!r} is given twice")
            seen.add(component.id)
            parsed = (
                None
                if status is None
                else parse_enum(ComponentStatus, status, f"status for component {component.name!r}")
            )
            resolved.append((component, parsed))
        return resolved

    async def apply_status(
        self,
        q: Queries,
        component: Component,
        status: ComponentStatus,
        cause: ChangeCause,
        incident_id: str | None = None,
    ) -> AffectedComponent | None:
        """Set a component's status and record the change; None when it did not change."""
        current = await q.find_component(component.id) or component
        if current.status is status:
            return None
        now = self.now()
        await q.save_component(replace(current, status=status, updated_at=now))
        await q.record_status_change(
            StatusChange(current.id, now, current.status, status, cause, incident_id)
        )
        return AffectedComponent(current.id, current.name, current.status, status)

    async def restore_status(
        self, q: Queries, component_id: str, incident_id: str
    ) -> ComponentStatus:
        """The status a component returns to when an incident ends: what others still hold."""
        held = await q.held_statuses(component_id, incident_id)
        return max(held, key=lambda s: s.rank, default=ComponentStatus.OPERATIONAL)
