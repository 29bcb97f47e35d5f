"""`statuspage comms test`: a test message to every owner through the real channel clients."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.conftest import RunCli
from tests.delivery.conftest import PLAN, Providers
from tests.delivery.standins import ACCOUNT_SID, AUTH_TOKEN


@pytest.fixture
def configured(providers: Providers, monkeypatch: pytest.MonkeyPatch) -> Providers:
    for name, value in {
        "COMMS_PLAN": str(PLAN), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(providers.smtp_port),
        "SMTP_SECURITY": "none", "SMTP_FROM": "Acme Status <status@acme.test>",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32, "TWILIO_API_URL": providers.twilio_url,
        "WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_ALLOW_PRIVATE": "1",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"STATUSPAGE_{name}", value)
    monkeypatch.setenv("ACME_SLACK_URL", f"{providers.slack_url}/comms")
    return providers


async def run(run_cli: RunCli, *args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(run_cli, *args)
    return result.exit_code, result.output


async def test_every_owner_gets_a_test_message_on_every_contact(
    configured: Providers, run_cli: RunCli
) -> None:
    code, out = await run(run_cli, "comms", "test")
    assert code == 0, out
    assert "ic · email · ic@acme.test: sent" in out
    assert "ic · sms · +14155550101: sent: provider id SM" in out
    assert "comms · slack · http://" in out and "/comms: sent" in out
    (mail,) = configured.smtp.to("ic@acme.test")
    assert mail["Subject"] == "Test message from Status"  # the page's name
    assert {m["to"] for m in configured.twilio.created} >= {"+14155550101", "+14155550104"}
    (post,) = [p for p in configured.slack.posts if p[0].endswith("/comms")]
    assert "test of the slack channel" in json.dumps(post[2])


async def test_provider_errors_are_reported_and_exit_1(
    configured: Providers, run_cli: RunCli
) -> None:
    configured.smtp.refuse["ic@acme.test"] = "550 5.1.1 No such user"
    configured.twilio.fail["+14155550101"] = (400, 21211)
    code, out = await run(run_cli, "comms", "test", "--owner", "ic")
    assert code == 1
    assert "ic · email · ic@acme.test: failed: SMTP 550 5.1.1 No such user [550]" in out
    assert "ic · sms · +14155550101: failed: " in out and "[21211]" in out
    assert "0 sent, 2 failed, 0 skipped (not configured)." in out


async def test_unconfigured_channels_and_contacts_are_skipped_not_failed(
    configured: Providers, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_SLACK_URL")
    monkeypatch.delenv("STATUSPAGE_TWILIO_ACCOUNT_SID")
    code, out = await run(run_cli, "comms", "test", "--channel", "sms")
    assert code == 0, out
    assert (
        "ic · sms · +14155550101: skipped: not configured: set STATUSPAGE_TWILIO_ACCOUNT_SID "
        "and STATUSPAGE_TWILIO_AUTH_TOKEN" in out
    )
    assert configured.twilio.created == []
    code, out = await run(run_cli, "comms", "test", "--channel", "slack")
    assert "comms · slack · ${ACME_SLACK_URL}: skipped: not configured: set ACME_SLACK_URL" in out


async def test_an_unknown_role_or_channel_is_refused(
    configured: Providers, run_cli: RunCli
) -> None:
    code, out = await run(run_cli, "comms", "test", "--owner", "nobody")
    assert code == 2 and "invalid owner role 'nobody'; accepted values: ic, comms" in out
    code, out = await run(run_cli, "comms", "test", "--owner", "comms_led")
    assert code == 2 and "invalid owner role 'comms_led'; did you mean 'comms'?" in out
    code, out = await run(run_cli, "comms", "test", "--channel", "fax")
    assert code == 2 and "no owner has a 'fax' contact; one of" in out
    code, out = await run(run_cli, "comms", "test", "--channel", "emial")
    assert code == 2 and "no owner has a 'emial' contact; did you mean 'email'? one of" in out
    assert configured.smtp.messages == []


async def test_a_role_is_read_as_people_type_it(configured: Providers, run_cli: RunCli) -> None:
    code, out = await run(run_cli, "comms", "test", "--owner", "Comm", "--channel", "slack")
    assert code == 0, out
    assert out.startswith("comms · slack · http://127.0.0.1:") and "/comms: sent\n" in out
    assert "ic · " not in out
