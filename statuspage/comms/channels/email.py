"""E-mail over SMTP (aiosmtplib): multipart text + HTML, threaded per incident.

Each message has its own Message-ID (stable for its outbox row). The first message of an
incident to a recipient carries the thread's root id as its Message-ID; later ones name it
in In-Reply-To and References, so mail clients show one conversation per incident.
Subscribers' messages carry List-Unsubscribe (https and mailto) and List-Unsubscribe-Post
(RFC 8058 one-click). Connections are kept open and reused. SMTP 4xx is transient, 5xx
permanent; an unreachable server pauses the channel without using up attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

import aiosmtplib

from statuspage.comms.channels.base import Message, Receipt
from statuspage.errors import (
    DeliveryError,
    PermanentDeliveryError,
    ProviderBusy,
    TransientDeliveryError,
)

RECONNECT_PAUSE = 10.0  # seconds the channel waits when the server cannot be reached


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls, tls or none
    sender: str  # "Acme Status <status@acme.example>"
    user: str = ""
    password: str = ""
    timeout: float = 30.0
    unsubscribe_mailto: str = ""  # default: the sender's address
    connections: int = 4


def compose(config: SmtpConfig, message: Message, now: datetime) -> EmailMessage:
    """The e-mail for one message, with threading and unsubscribe headers."""
    address = parseaddr(config.sender)[1]
    domain = address.rpartition("@")[2] or "statuspage.invalid"
    root = f"<{message.thread_key}@{domain}>"
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["From"] = config.sender
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    mail["Date"] = format_datetime(now.astimezone(UTC))
    mail["Message-ID"] = root if message.opens_thread else f"<{message.key}@{domain}>"
    if not message.opens_thread:
        mail["In-Reply-To"] = root
        mail["References"] = root
    if message.unsubscribe_url:
        mailto = config.unsubscribe_mailto or address
        subject = quote(f"unsubscribe {message.unsubscribe_token or ''}".strip())
        links = f"<{message.unsubscribe_url}>, <mailto:{mailto}?subject={subject}>"
        mail["List-Unsubscribe"] = links
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Auto-Response-Suppress"] = "All"
    mail["Content-Language"] = message.language
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def smtp_error(exc: Exception) -> DeliveryError:
    """Our error for an aiosmtplib one: 4xx transient, 5xx permanent."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ProviderBusy(f"SMTP login refused ({exc.code})", str(exc.code), 60.0)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"SMTP {exc.code} {' '.join(exc.message.split())[:200]}"
        if 500 <= exc.code < 600:
            return PermanentDeliveryError(text, str(exc.code))
        return TransientDeliveryError(text, str(exc.code))
    if isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionRefusedError):
        return ProviderBusy("cannot reach the SMTP server", None, RECONNECT_PAUSE)
    return TransientDeliveryError(f"SMTP connection failed: {type(exc).__name__}")


class EmailChannel:
    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(config.connections)

    async def send(self, message: Message) -> Receipt:
        mail = compose(self.config, message, datetime.now(UTC))
        data = mail.as_bytes()
        sender = parseaddr(self.config.sender)[1]
        async with self._slots:
            smtp, reused = await self._connection()
            try:
                await self._transaction(smtp, reused, sender, message.to, data)
            except Exception:
                await self._discard(smtp)
                raise
            self._idle.append(smtp)
        return Receipt(str(mail["Message-ID"]))

    async def _transaction(
        self, smtp: aiosmtplib.SMTP, reused: bool, sender: str, to: str, data: bytes
    ) -> None:
        try:
            try:
                await smtp.mail(sender)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                await smtp.connect()  # the server closed an idle connection: nothing was sent
                await smtp.mail(sender)
            await smtp.rcpt(to)
            await smtp.data(data)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise smtp_error(exc) from exc

    async def _connection(self) -> tuple[aiosmtplib.SMTP, bool]:
        while self._idle:
            smtp = self._idle.pop()
            if smtp.is_connected:
                return smtp, True
        c = self.config
        smtp = aiosmtplib.SMTP(
            hostname=c.host, port=c.port, timeout=c.timeout,
            use_tls=c.security == "tls", start_tls=c.security == "starttls",
            username=c.user or None, password=c.password or None,
        )  # fmt: skip
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise smtp_error(exc) from exc
        return smtp, False

    async def _discard(self, smtp: aiosmtplib.SMTP) -> None:
        with contextlib.suppress(Exception):
            smtp.close()

    async def find_sent(self, message: Message, since: datetime) -> Receipt | None:
        return None  # SMTP cannot be asked; the resend keeps its Message-ID

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for smtp in idle:
            with contextlib.suppress(Exception):
                await smtp.quit()
            smtp.close()
