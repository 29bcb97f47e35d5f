"""`statuspage comms dispatch|status|retry` end to end: a real SMTP server, the CLI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from statuspage.model import Channel, Subscriber, SubscriberState, new_id
from statuspage.storage import Store
from tests.conftest import START, TEST_SECRET_KEY, RunCli
from tests.delivery.conftest import PLAN
from tests.delivery.standins import SmtpRecorder, smtp_server


@pytest.fixture
async def smtp(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SmtpRecorder]:
    async with smtp_server() as (recorder, port):
        for name, value in {
            "COMMS_PLAN": str(PLAN), "SECRET_KEY": TEST_SECRET_KEY, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port), "SMTP_SECURITY": "none", "SMTP_FROM": "status@acme.test",
            "DISPATCH_POLL": "0.01",
        }.items():  # fmt: skip
            monkeypatch.setenv(f"STATUSPAGE_{name}", value)
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "WEBHOOK_SECRET"):
            monkeypatch.delenv(f"STATUSPAGE_{name}", raising=False)
        yield recorder


async def cli(run_cli: RunCli, *args: str) -> str:
    result = await asyncio.to_thread(run_cli, *args)
    assert result.exit_code == 0, result.output
    return result.output


async def subscribe(db: Path, channel: Channel, address: str) -> None:
    store = await Store.open(db)
    try:
        async with store.write() as q:
            await q.save_subscriber(
                Subscriber(new_id(), channel, address, SubscriberState.ACTIVE, START, START)
            )
    finally:
        await store.close()


async def declared(run_cli: RunCli, db: Path) -> str:
    await cli(run_cli, "component", "add", "API")
    await subscribe(db, Channel.EMAIL, "ann@example.test")
    await subscribe(db, Channel.EMAIL, "gone@example.test")
    await subscribe(db, Channel.SMS, "+14155550123")
    out = await cli(
        run_cli, "incident", "declare", "API errors", "--severity", "SEV1", "--component",
        "API", "--message", "We are investigating.", "--json",
    )  # fmt: skip
    incident = str(json.loads(out)["id"])
    await cli(run_cli, "comms", "approve", incident, "--as", "Dana")
    return incident


async def test_dispatch_once_sends_by_email_and_leaves_sms_waiting_while_it_is_not_configured(
    smtp: SmtpRecorder, run_cli: RunCli, db_path: Path
) -> None:
    incident = await declared(run_cli, db_path)
    out = await cli(run_cli, "comms", "dispatch", "--once")
    assert "email: 4 sent" in out  # 2 subscribers, 2 owners
    assert "slack: 1 skipped" in out and "failed" not in out  # ${ACME_SLACK_URL} is unset
    assert "sms: not configured (set STATUSPAGE_TWILIO_ACCOUNT_SID" in out
    assert {m["To"] for m in smtp.messages} >= {"ann@example.test", "gone@example.test"}
    status = await cli(run_cli, "comms", "status", incident)
    assert "Not configured: sms" in status
    assert "declared  email" in status and "declared  sms" in status
    assert (
        "declared slack: 1 - skipped: not configured (role comms has no slack contact; "
        "set ACME_SLACK_URL)" in status
    )
    assert "Failed:" not in status


async def test_status_shows_failures_with_reasons_and_retry_queues_them_again(
    smtp: SmtpRecorder, run_cli: RunCli, db_path: Path
) -> None:
    incident = await declared(run_cli, db_path)
    smtp.refuse["gone@example.test"] = "550 5.1.1 No such user"
    await cli(run_cli, "comms", "dispatch", "--once")
    status = await cli(run_cli, "comms", "status", incident)
    assert "declared email: 1 - 550: SMTP 550 5.1.1 No such user [550]" in status
    assert f"statuspage comms retry {incident}" in status
    data = json.loads(await cli(run_cli, "comms", "status", incident, "--json"))
    email = next(m for m in data["messages"] if m["channel"] == "email")
    assert email["failed"] == 1 and email["sent"] >= 1
    del smtp.refuse["gone@example.test"]
    again = await cli(run_cli, "comms", "retry", incident, "--channel", "email")
    assert "Queued again: 1 (email 1)" in again
    await cli(run_cli, "comms", "dispatch", "--once")
    assert len(smtp.to("gone@example.test")) == 1
    data = json.loads(await cli(run_cli, "comms", "status", incident, "--json"))
    assert next(m for m in data["messages"] if m["channel"] == "email")["failed"] == 0
