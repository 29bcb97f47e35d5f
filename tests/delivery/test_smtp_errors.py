"""Why e-mail failed, in one line that says what to change: real servers failing each way."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme

from statuspage.comms.deliver.channels.base import Message
from statuspage.comms.deliver.channels.email import EmailChannel, SmtpConfig
from statuspage.config import Settings
from statuspage.errors import DeliveryError, ProviderBusy
from statuspage.model import Channel
from statuspage.service import Service
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber
from tests.conftest import TEST_SECRET_KEY, FakeClock
from tests.delivery.conftest import PLAN, declare_sev1, dispatch_once, row_to
from tests.delivery.standins import smtp_server
from tests.test_app import free_port

ANN = "ann@example.test"


def message() -> Message:
    return Message("page.1", "email", ANN, "Hello.", datetime.now(UTC), "Hi", unique="e/s/1")


async def failure(config: SmtpConfig) -> DeliveryError:
    channel = EmailChannel(config)
    try:
        with pytest.raises(DeliveryError) as caught:
            await channel.send(message())
    finally:
        await channel.aclose()
    return caught.value


def tls_server(tmp_path: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a certificate for 127.0.0.1, and the CA file that trusts it."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return context, str(tmp_path / "ca.pem")


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in writers:
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()


async def test_a_server_without_starttls_says_to_set_security_none() -> None:
    async with smtp_server() as (smtp, port):
        error = await failure(SmtpConfig("127.0.0.1", port, "starttls", "status@acme.test"))
    assert isinstance(error, ProviderBusy)
    assert f"the server at 127.0.0.1:{port} does not offer STARTTLS" in str(error)
    assert "set STATUSPAGE_SMTP_SECURITY=none for a local relay" in str(error)
    assert smtp.messages == []


async def test_a_refused_login_names_the_user_and_password_settings(tmp_path: Path) -> None:
    context, ca = tls_server(tmp_path)
    async with smtp_server(context, {"status": "s3cret"}) as (_, port):
        config = SmtpConfig("127.0.0.1", port, "starttls", "status@acme.test", "status",
                            "wrong", ca_file=ca)  # fmt: skip
        error = await failure(config)
        no_login = await failure(SmtpConfig("127.0.0.1", port, "starttls", "status@acme.test",
                                            ca_file=ca))  # fmt: skip
    assert "refused the login (535)" in str(error)
    assert "check STATUSPAGE_SMTP_USER and STATUSPAGE_SMTP_PASSWORD" in str(error)
    assert "wants a login first (530)" in str(no_login)


async def test_connection_refused_names_the_host_and_port_settings() -> None:
    port = free_port()
    error = await failure(SmtpConfig("127.0.0.1", port, "none", "status@acme.test"))
    assert isinstance(error, ProviderBusy)
    assert f"cannot reach the SMTP server at 127.0.0.1:{port} (connection refused)" in str(error)
    assert "STATUSPAGE_SMTP_HOST and STATUSPAGE_SMTP_PORT" in str(error)


async def test_an_untrusted_certificate_says_how_to_trust_it(tmp_path: Path) -> None:
    context, _ = tls_server(tmp_path)
    async with smtp_server(context) as (_, port):
        error = await failure(SmtpConfig("127.0.0.1", port, "starttls", "status@acme.test"))
    assert f"the TLS certificate of 127.0.0.1:{port} is not trusted" in str(error)
    assert "STATUSPAGE_SMTP_CA_FILE" in str(error)


async def test_implicit_tls_against_a_plain_server_says_to_use_starttls_or_none() -> None:
    async with smtp_server() as (_, port):
        error = await failure(SmtpConfig("127.0.0.1", port, "tls", "status@acme.test"))
    assert "does not speak TLS on connect" in str(error)
    assert "STATUSPAGE_SMTP_SECURITY=starttls" in str(error)


async def test_a_server_that_never_answers_names_the_timeout_setting() -> None:
    async with silent_server() as port:
        config = SmtpConfig("127.0.0.1", port, "none", "status@acme.test", timeout=0.2)
        error = await failure(config)
    assert isinstance(error, ProviderBusy)
    assert f"127.0.0.1:{port} did not answer within 0.2 s (STATUSPAGE_SMTP_TIMEOUT)" in str(error)


async def test_the_reason_is_kept_on_the_row_and_the_message_waits(
    csvc: Service, clock: FakeClock, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await declare_sev1(csvc)
    async with smtp_server() as (smtp, port):
        settings = Settings(
            db=db_path, secret_key=TEST_SECRET_KEY, smtp_host="127.0.0.1", smtp_port=port,
            smtp_from="status@acme.test", comms_plan=str(PLAN), dispatch_poll=0.01,
        )  # fmt: skip
        await dispatch_once(csvc, settings, clock, only=("email",))
    row = (await row_to(csvc, ANN)).row
    assert smtp.messages == [] and row.state is OutboxState.QUEUED
    assert row.last_error is not None
    assert "does not offer STARTTLS; set STATUSPAGE_SMTP_SECURITY=none" in row.last_error
    status = await csvc.delivery_status(await only_incident(csvc), {})
    assert "does not offer STARTTLS" in repr(status)


async def only_incident(svc: Service) -> str:
    (incident,) = await svc.find_incidents()
    return incident.id
