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
import binascii
import contextlib
import functools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import quote

import aiosmtplib

from statuspage.comms.deliver.channels.base import Message, Receipt
from statuspage.errors import (
    DeliveryError,
    PermanentDeliveryError,
    ProviderBusy,
    TransientDeliveryError,
)

RECONNECT_PAUSE = 10.0  # seconds the channel waits when the server cannot be reached
MAX_LINE = 998  # characters in a line of a message (RFC 5322), without its CRLF


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
    ca_file: str = ""  # trust this CA bundle (a private CA); empty: the system's


def compose(config: SmtpConfig, message: Message, now: datetime) -> bytes:
    """The e-mail for one message (multipart text + HTML, CRLF, 7bit or quoted-printable), with
    threading and unsubscribe headers. Built directly: the `email` package's generator
    costs more than rendering the templates."""
    address = _address(config.sender)
    domain = address.rpartition("@")[2] or "statuspage.invalid"
    root = f"<{message.thread_key}@{domain}>"
    headers = [
        ("From", _address_header(config.sender)),
        ("To", message.to),
        ("Subject", _text_header(message.subject or "")),
        ("Date", _date(int(now.timestamp()))),
        ("Message-ID", root if message.opens_thread else f"<{message.key}@{domain}>"),
    ]
    if not message.opens_thread:
        headers += [("In-Reply-To", root), ("References", root)]
    if message.unsubscribe_url:
        mailto = config.unsubscribe_mailto or address
        subject = quote(f"unsubscribe {message.unsubscribe_token or ''}".strip())
        links = f"<{message.unsubscribe_url}>, <mailto:{mailto}?subject={subject}>"
        headers += [("List-Unsubscribe", links),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]  # fmt: skip
    headers += [
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("Content-Language", message.language),
        ("MIME-Version", "1.0"),
    ]
    return _assemble(headers, message.text, message.html)


def _assemble(headers: list[tuple[str, str]], text: str, html: str | None) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    if html is None:
        return head.encode() + _part("plain", text)
    boundary = f"=_{secrets.token_hex(12)}"  # "=_" never occurs in quoted-printable
    parts = [
        head, f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n',
    ]  # fmt: skip
    body = b"".join(
        f"--{boundary}\r\n".encode() + _part(kind, content, boundary) + b"\r\n"
        for kind, content in (("plain", text), ("html", html))
    )
    return "".join(parts).encode() + body + f"--{boundary}--\r\n".encode()


def _part(subtype: str, text: str, boundary: str = "") -> bytes:
    """One text part: sent as it is (7bit) when it is ASCII in lines SMTP carries unchanged,
    as most English messages are; quoted-printable otherwise."""
    text = text.replace("\r\n", "\n")
    if _is_7bit(text) and not (boundary and boundary in text):
        body, encoding = text.replace("\n", "\r\n").encode() + b"\r\n", "7bit"
    else:
        body, encoding = _qp(text), "quoted-printable"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode() + body


def _is_7bit(text: str) -> bool:
    return (
        text.isascii() and "\r" not in text and "\0" not in text
        and max(map(len, text.split("\n"))) <= MAX_LINE
    )  # fmt: skip


def _qp(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.encode(), quotetabs=False, istext=True)
    return encoded.replace(b"\n", b"\r\n") + b"\r\n"


def _text_header(value: str) -> str:
    value = " ".join(value.split())
    if value.isascii() and len(value) < 900:
        return value
    return str(Header(value, "utf-8").encode())


# The sender's address and the Date header are the same for thousands of messages in a row;
# parsing and formatting them is a good part of composing one.
@functools.lru_cache(maxsize=16)
def _address(value: str) -> str:
    return parseaddr(value)[1]


@functools.lru_cache(maxsize=16)
def _address_header(value: str) -> str:
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


@functools.lru_cache(maxsize=4)
def _date(timestamp: int) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC))


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
        data = compose(self.config, message, datetime.now(UTC))
        sender = _address(self.config.sender)
        async with self._slots:
            smtp, reused = await self._connection()
            try:
                await self._transaction(smtp, reused, sender, message.to, data)
            except DeliveryError:
                await self._reuse_or_close(smtp)
                raise
            except BaseException:
                await self._discard(smtp)
                raise
            self._idle.append(smtp)
        return Receipt(message.key)

    async def _reuse_or_close(self, smtp: aiosmtplib.SMTP) -> None:
        """After a refusal the server answered, RSET keeps the connection usable."""
        try:
            await smtp.rset()
        except Exception:
            await self._discard(smtp)
        else:
            self._idle.append(smtp)

    async def _transaction(
        self, smtp: aiosmtplib.SMTP, reused: bool, sender: str, to: str, data: bytes
    ) -> None:
        try:
            try:
                await smtp.mail(sender)
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                smtp.close()  # the server closed an idle connection: nothing was sent
                await smtp.connect()
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
            cert_bundle=c.ca_file or None,
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
