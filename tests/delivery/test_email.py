"""E-mail through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import re
import ssl
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from unittest.mock import patch

import trustme

from statuspage.comms.compose.validate import load_plan
from statuspage.comms.deliver.channels.base import Message
from statuspage.comms.deliver.channels.email import SmtpConfig, compose
from statuspage.comms.kit import Comms
from statuspage.config import Settings
from statuspage.model import Channel
from statuspage.service import Service
from statuspage.service.comms_ops import approve
from statuspage.storage import Store
from statuspage.storage.outbox import OutboxState
from tests.comms.conftest import add_subscriber
from tests.conftest import TEST_SECRET_KEY, FakeClock
from tests.delivery.conftest import PLAN, Providers, declare_sev1, dispatch_once, row_to
from tests.delivery.standins import smtp_server

ANN = "ann@example.test"


async def test_a_subscriber_gets_a_multipart_mail_with_one_click_unsubscribe_headers(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    (mail,) = providers.smtp.to(ANN)
    assert mail["From"] == "Acme Status <status@acme.test>"
    assert "API errors" in mail["Subject"] and mail["Date"]
    assert re.fullmatch(r"<[a-z2-7]{26}@status\.acme\.test>", mail["Message-ID"])
    unsubscribe = mail["List-Unsubscribe"]
    assert re.fullmatch(r"<https://status\.acme\.test/subscriptions/unsubscribe\?token=\S+>",
                        unsubscribe)  # no mailto: nothing reads an unsubscribe mailbox  # fmt: skip
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and "We are investigating errors." in text.get_content()
    assert html is not None and "We are investigating errors." in html.get_content()


async def test_all_mails_of_one_incident_thread_under_its_first(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    incident = await declare_sev1(csvc)
    settings = providers.settings(db_path)
    await dispatch_once(csvc, settings, clock, only=("email",))
    for text in ("Found the cause.", "A fix is rolling out."):
        clock.advance(minutes=10)
        await csvc.update_incident(incident, message=text, status="identified")
        from statuspage.service.comms_ops import approve

        await approve(csvc.store, incident, "Dana", csvc.now())
        await dispatch_once(csvc, settings, clock, only=("email",))
    first, second, third = providers.smtp.to(ANN)
    root = first["Message-ID"]
    assert first["In-Reply-To"] is None
    assert second["In-Reply-To"] == third["In-Reply-To"] == root
    assert second["References"] == third["References"] == root
    assert len({first["Message-ID"], second["Message-ID"], third["Message-ID"]}) == 3


async def test_a_configured_unsubscribe_mailbox_adds_the_mailto(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await declare_sev1(csvc)
    settings = providers.settings(db_path, email_unsubscribe_mailto="leave@acme.test")
    await dispatch_once(csvc, settings, clock, only=("email",))
    (mail,) = providers.smtp.to(ANN)
    links = mail["List-Unsubscribe"]
    assert links.startswith("<https://status.acme.test/subscriptions/unsubscribe?token=")
    assert ", <mailto:leave@acme.test?subject=unsubscribe%20" in links


async def test_message_ids_differ_between_two_databases_and_threads_still_hold(
    clock: FakeClock, providers: Providers, tmp_path: Path
) -> None:
    """Two pages on the same domain (a restore, a second install): row 1 of each database
    must not share a Message-ID, or receivers drop the second as a duplicate."""
    ids: list[str] = []
    for n in (1, 2):
        store = await Store.open(tmp_path / f"status{n}.db", create=True)
        try:
            svc = Service(store, clock, comms=Comms(load_plan(PLAN)))
            await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
            await svc.add_component("API")
            await add_subscriber(svc, Channel.EMAIL, ANN)
            settings = providers.settings(tmp_path / f"status{n}.db")
            incident = await declare_sev1(svc)
            await dispatch_once(svc, settings, clock, only=("email",))
            await svc.update_incident(incident, message="Found it.", status="identified")
            await approve(svc.store, incident, "Dana", svc.now())
            clock.advance(minutes=5)
            await dispatch_once(svc, settings, clock, only=("email",))
        finally:
            await store.close()
        first, second = providers.smtp.to(ANN)[-2:]
        assert second["In-Reply-To"] == second["References"] == first["Message-ID"]
        ids += [first["Message-ID"], second["Message-ID"]]
    assert len(set(ids)) == 4
    assert all(re.fullmatch(r"<[a-z2-7]{26}@status\.acme\.test>", i) for i in ids)


async def test_owners_get_internal_mail_without_unsubscribe_links(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await declare_sev1(csvc, approve=False)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    (ic,) = providers.smtp.to("ic@acme.test")
    assert ic["List-Unsubscribe"] is None
    assert ic["Auto-Submitted"] == "auto-generated"


async def test_connections_are_reused_across_messages(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    for n in range(12):
        await add_subscriber(csvc, Channel.EMAIL, f"user{n}@example.test")
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path, email_concurrency=2), clock,
                        only=("email",))  # fmt: skip
    assert len(providers.smtp.messages) == 14  # 12 subscribers, 2 owners
    assert providers.smtp.connections <= 2


async def test_smtp_5xx_fails_the_message_and_4xx_retries_it(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, "gone@example.test")
    await add_subscriber(csvc, Channel.EMAIL, "full@example.test")
    providers.smtp.refuse["gone@example.test"] = "550 5.1.1 No such user"
    providers.smtp.refuse["full@example.test"] = "452 4.2.2 Mailbox full"
    await declare_sev1(csvc)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    gone = await row_to(csvc, "gone@example.test")
    full = await row_to(csvc, "full@example.test")
    assert gone is not None and full is not None
    assert gone.row.state is OutboxState.FAILED and gone.provider_code == "550"
    assert "No such user" in (gone.row.last_error or "")
    assert full.row.state is OutboxState.QUEUED and full.provider_code == "452"
    assert full.row.next_attempt_at > clock.current


async def test_a_title_in_any_script_reaches_the_subject_intact(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    incident = await csvc.declare_incident(
        "Störung der API — 支付", message="Wir prüfen das. Ещё минуту.", severity="SEV2",
        components=[("API", None)],
    )  # fmt: skip
    assert incident
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    (mail,) = providers.smtp.to(ANN)
    assert "Störung der API — 支付" in mail["Subject"]
    text = mail.get_body(("plain",))
    assert text is not None and "Ещё минуту." in text.get_content()


async def test_starttls_is_verified_against_the_configured_ca_and_login_goes_over_it(
    csvc: Service, clock: FakeClock, db_path: Path, tmp_path: Path
) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await declare_sev1(csvc)
    async with smtp_server(server_context, {"status": "s3cret"}) as (smtp, port):
        settings = Settings(
            db=db_path, secret_key=TEST_SECRET_KEY, smtp_host="127.0.0.1", smtp_port=port,
            smtp_security="starttls", smtp_user="status", smtp_password="s3cret",
            smtp_from="status@acme.test", smtp_ca_file=str(tmp_path / "ca.pem"),
            comms_plan=str(PLAN), dispatch_poll=0.01,
        )  # fmt: skip
        await dispatch_once(csvc, settings, clock, only=("email",))
        assert smtp.to(ANN) and set(smtp.sessions) == {(True, b"status")}


async def test_an_untrusted_certificate_sends_nothing(
    csvc: Service, clock: FakeClock, db_path: Path
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(server_context)
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await declare_sev1(csvc)
    async with smtp_server(server_context) as (smtp, port):
        settings = Settings(
            db=db_path, secret_key=TEST_SECRET_KEY, smtp_host="127.0.0.1", smtp_port=port,
            smtp_from="status@acme.test", comms_plan=str(PLAN), dispatch_poll=0.01,
        )  # fmt: skip
        report = await dispatch_once(csvc, settings, clock, only=("email",))
    assert smtp.messages == [] and report.tally["email"]["sent"] == 0
    assert (await row_to(csvc, ANN)).row.state is OutboxState.QUEUED


def test_a_part_in_ascii_short_lines_goes_as_it_is_and_any_other_quoted_printable() -> None:
    config = SmtpConfig("smtp.test", 25, "none", "Acme Status <status@acme.test>")
    long_line = "x" * 1200
    cases = {
        "Plain words.\n.A line with a leading dot\nand tabs\tand = signs\n": "7bit",
        "Ünïcode and an emoji 🔥\n": "quoted-printable",
        f"short\n{long_line}\n": "quoted-printable",
        "a lone \r carriage return\n": "quoted-printable",
    }
    for text, encoding in cases.items():
        for html in (None, f"<p>{text}</p>"):
            message = Message("page.1", "email", ANN, text, datetime.now(UTC), "Hi", html)
            parsed = message_from_bytes(
                compose(config, message, datetime.now(UTC)), policy=policy.default
            )
            assert isinstance(parsed, EmailMessage)
            parts = [parsed] if html is None else list(parsed.iter_parts())
            for part, sent in zip(parts, [text, html], strict=False):
                assert part["Content-Transfer-Encoding"] == encoding
                assert part.get_content().replace("\r\n", "\n").rstrip("\n") == sent.rstrip("\n")


def test_a_part_that_holds_the_boundary_is_quoted_printable() -> None:
    config = SmtpConfig("smtp.test", 25, "none", "status@acme.test")
    with patch("statuspage.comms.deliver.channels.email.secrets.token_hex", return_value="ab" * 12):
        text = "a line with =_" + "ab" * 12 + " in it\n"
        message = Message("page.1", "email", ANN, text, datetime.now(UTC), "Hi", "<p>hi</p>")
        parsed = message_from_bytes(compose(config, message, datetime.now(UTC)),
                                    policy=policy.default)  # fmt: skip
    assert isinstance(parsed, EmailMessage)
    plain, html = parsed.iter_parts()
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert html["Content-Transfer-Encoding"] == "7bit"
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == text.rstrip("\n")
