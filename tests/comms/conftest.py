"""Fixtures for the comms kit: a small plan, a service wired to it, subscribers."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.service import Service
from statuspage.storage import Store
from statuspage.storage.outbox import OutboxRow
from tests.conftest import FakeClock

PLANS = Path(__file__).parent / "plans"
SMALL_PLAN = PLANS / "small.yaml"


@pytest.fixture
def comms() -> Comms:
    return Comms(load_plan(SMALL_PLAN))


@pytest.fixture
async def csvc(store: Store, clock: FakeClock, comms: Comms) -> Service:
    """A service whose changes are planned by the small test plan; components API, Web."""
    service = Service(store, clock, comms=comms)
    await service.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    await service.add_component("API")
    await service.add_component("Web")
    await service.add_component("Payments")
    return service


async def add_subscriber(
    svc: Service,
    channel: Channel,
    address: str,
    *,
    components: tuple[str, ...] = (),
    state: SubscriberState = SubscriberState.ACTIVE,
    **kw: object,
) -> Subscriber:
    """A subscriber of the named components (none named: all components)."""
    ids = tuple([(await svc.get_component(name)).id for name in components])
    now = svc.now()
    found = Subscriber(
        new_id(),
        channel,
        address,
        state,
        now,
        now,
        all_components=not ids,
        component_ids=ids,
        **kw,  # type: ignore[arg-type]
    )
    async with svc.store.write() as q:
        await q.save_subscriber(found)
    return found


async def rows(svc: Service, event_id: str | None = None) -> list[OutboxRow]:
    async with svc.store.read() as q:
        return await q.outbox_rows(event_id)


def keyed(found: list[OutboxRow]) -> set[tuple[str, str, str]]:
    """(recipient, channel, state) of each row: what a test usually asserts."""
    return {(r.recipient_id, r.channel, r.state.value) for r in found}
