"""The server runs the dispatcher; web modules stay clear of the channel SDKs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.model import Channel
from statuspage.service import Service
from tests.comms.conftest import add_subscriber
from tests.conftest import TEST_SECRET_KEY
from tests.delivery.conftest import PLAN, declare_sev1
from tests.delivery.standins import SmtpRecorder, smtp_server


def serve_until_mail(settings: Settings, smtp: SmtpRecorder, seconds: float = 10) -> float:
    started = time.monotonic()
    with TestClient(create_app(settings)):
        while not smtp.to("ann@example.test"):
            assert time.monotonic() - started < seconds, "the server sent nothing"
            time.sleep(0.05)
    return time.monotonic() - started


async def test_the_server_sends_the_outbox_on_its_own(csvc: Service, db_path: Path) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "ann@example.test")
    await declare_sev1(csvc)
    async with smtp_server() as (smtp, port):
        settings = Settings(
            db=db_path, comms_plan=str(PLAN), secret_key=TEST_SECRET_KEY, dispatch_poll=0.05,
            smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
            smtp_from="status@acme.test",
        )  # fmt: skip
        await asyncio.to_thread(serve_until_mail, settings, smtp)
    async with csvc.store.read() as q:
        lease = await q.dispatcher_lease()
    assert lease is not None and lease.notes["unconfigured"].keys() >= {"sms", "webhook"}


def test_the_web_hooks_do_not_load_a_channel_sdk_client() -> None:
    code = "import statuspage.hooks, sys; print(sorted(m for m in sys.modules if m.startswith(('twilio.rest', 'aiosmtplib'))))"  # noqa: E501
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
