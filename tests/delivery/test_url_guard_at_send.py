"""At send time the guard checks the host the client connects to: a URL stored before the
guard knew its notation (or written into the database by hand) cannot reach a private
address. aiohttp skips the resolver for an IP literal, so this check is the only one."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.model import Channel
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests import raw_db
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import Providers, declare_sev1, dispatch_once, row_to

NOTATIONS = ["①②⑦.0.0.1", "127。0。0。1", "１２７.０.０.１", "0x7f.1", "2130706433", "127.1",
             "[::ffff:127.0.0.1]", "127.0.0.1.", "localhost."]  # fmt: skip


def store_by_hand(db: Path, old: str, new: str) -> None:
    """Rewrite a subscriber's address in the database, past every check on the way in."""
    conn = raw_db.connect(db)
    try:
        with conn:
            conn.execute("UPDATE subscribers SET address = ? WHERE address = ?", (new, old))
    finally:
        conn.close()


@pytest.mark.parametrize("channel", [Channel.WEBHOOK, Channel.SLACK])
@pytest.mark.parametrize("host", NOTATIONS)
async def test_a_stored_url_naming_a_private_address_in_any_notation_is_refused_when_sending(
    csvc: Service,
    clock: FakeClock,
    providers: Providers,
    db_path: Path,
    host: str,
    channel: Channel,
) -> None:
    base = providers.hooks_url if channel is Channel.WEBHOOK else providers.slack_url
    real = base + "/T1/B1/x"
    await add_subscriber(csvc, channel, real)
    disguised = real.replace("127.0.0.1", host)
    assert disguised != real
    store_by_hand(db_path, real, disguised)
    await declare_sev1(csvc)
    settings = providers.settings(db_path, webhook_allow_private=False)
    await dispatch_once(csvc, settings, clock, only=(channel.value,))
    assert providers.hooks.received == [] and providers.slack.posts == []
    row = await row_to(csvc, disguised)
    assert row.row.state is OutboxState.FAILED
    assert "refused" in (row.row.last_error or ""), row.row.last_error


async def test_the_loopback_receivers_still_get_messages_when_private_targets_are_allowed(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    real = providers.hooks_url + "/receiver"
    await add_subscriber(csvc, Channel.WEBHOOK, real)
    disguised = real.replace("127.0.0.1", "①②⑦.0.0.1")
    store_by_hand(db_path, real, disguised)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("webhook",))
    assert [path for path, _, _ in providers.hooks.received] == ["/receiver"]
