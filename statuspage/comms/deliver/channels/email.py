"""E-mail over SMTP (aiosmtplib): multipart text + HTML, threaded per incident.

Each message has its own Message-ID, `<random@status.example.com>`: a digest of the random
ids of its event and recipient (stable for its outbox row, so a resend keeps it; unique
across databases) at the page's domain. The first message of an incident to a recipient
carries the thread's root id as its Message-ID; later ones name it in In-Reply-To and
References, so mail clients show one conversation per incident. Subscribers' messages carry
List-Unsubscribe (the https one-click link; a mailto only when an unsubscribe mailbox is set,
STATUSPAGE_EMAIL_UNSUBSCRIBE_MAILTO, since nothing here reads mail) and List-Unsubscribe-Post
(RFC 8058 one-click). Connections are kept open and reused. SMTP 4xx is transient, 5xx
permanent; an unreachable server pauses the channel without using up attempts.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import secrets
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import quote, urlsplit

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
    unsubscribe_mailto: str = ""  # a processed unsubscribe mailbox; empty: no mailto
    connections: int = 4
    ca_file: str = ""  # trust this CA bundle (a private CA); empty: the system's
    domain: str = ""  # of Message-IDs: the page's; empty: the sender's


def message_id_domain(page_url: str) -> str:
    """The host of the page URL (`status.example.com`), or "" when it has none."""
    return (urlsplit(page_url).hostname or "").lower()


def message_id(seed: str, domain: str) -> str:
    """`<26 random-looking characters@domain>`, the same for the same seed."""
    digest = hashlib.sha256(seed.encode()).digest()[:16]
    return f"<{base64.b32encode(digest).decode().rstrip('=').lower()}@{domain}>"


def compose(config: SmtpConfig, message: Message, now: datetime) -> bytes:
    """The e-mail for one message (multipart text + HTML, CRLF, 7bit or quoted-printable), with
    threading and unsubscribe headers. Built directly: the `email` package's generator
    costs more than rendering the templates."""
    address = _address(config.sender)
    domain = config.domain or address.rpartition("@")[2] or "statuspage.invalid"
    root = message_id(f"thread:{message.thread_key}", domain)
    headers = [
        ("From", _address_header(config.sender)),
        ("To", message.to),
        ("Subject", _text_header(message.subject or "")),
        ("Date", _date(int(now.timestamp()))),
        ("Message-ID", root if message.opens_thread else message_id(_seed(message), domain)),
    ]
    if not message.opens_thread:
        headers += [("In-Reply-To", root), ("References", root)]
    if message.unsubscribe_url:
        links = f"<{message.unsubscribe_url}>"
        if config.unsubscribe_mailto:
            subject = quote(f"unsubscribe {message.unsubscribe_token or ''}".strip())
            links += f", <mailto:{config.unsubscribe_mailto}?subject={subject}>"
        headers += [("List-Unsubscribe", links),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]  # fmt: skip
    headers += [
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("Content-Language", message.language),
        ("MIME-Version", "1.0"),
    ]
    return _assemble(headers, message.text, message.html)


def _seed(message: Message) -> str:
    return f"message:{message.unique or message.key}"


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


def smtp_error(exc: BaseException, config: SmtpConfig | None = None) -> DeliveryError:
    """Our error for an aiosmtplib one, with what happened and what to do in one line: 4xx
    transient, 5xx permanent; a server that cannot be reached or refuses our settings pauses
    the channel (every message would fail the same way)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    where = f"{config.host}:{config.port}" if config else "the SMTP server"
    setup = _setup_problem(exc, where, config)
    if setup is not None:
        return ProviderBusy(setup, _code(exc), RECONNECT_PAUSE * 6)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"SMTP {exc.code} {' '.join(exc.message.split())[:200]}"
        if 500 <= exc.code < 600:
            return PermanentDeliveryError(text, str(exc.code))
        return TransientDeliveryError(text, str(exc.code))
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        seconds = f"{config.timeout:g} s" if config else "the timeout"
        return ProviderBusy(
            f"{where} did not answer within {seconds} (STATUSPAGE_SMTP_TIMEOUT);"
            " is the host and port right, and is the server busy?", None, RECONNECT_PAUSE,
        )  # fmt: skip
    if isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionError | OSError):
        return ProviderBusy(
            f"cannot reach the SMTP server at {where} ({_reason(exc)}): is it running, and are"
            " STATUSPAGE_SMTP_HOST and STATUSPAGE_SMTP_PORT right?", None, RECONNECT_PAUSE,
        )  # fmt: skip
    return TransientDeliveryError(f"SMTP failed at {where}: {_reason(exc)}")


def _setup_problem(exc: BaseException, where: str, config: SmtpConfig | None) -> str | None:
    """A failure our settings cause, explained; None for any other."""
    text = str(exc).lower()
    cert = _tls_certificate_error(exc)
    if cert is not None:
        return (
            f"the TLS certificate of {where} is not trusted ({cert}); use the server's name"
            " in STATUSPAGE_SMTP_HOST, or trust its CA with STATUSPAGE_SMTP_CA_FILE"
        )
    if "starttls extension not supported" in text:
        return (
            f"the server at {where} does not offer STARTTLS; set STATUSPAGE_SMTP_SECURITY=none"
            " for a local relay (or tls for implicit TLS, usually port 465)"
        )
    if "wrong version number" in text or "record layer failure" in text:
        return (
            f"the server at {where} does not speak TLS on connect; set"
            " STATUSPAGE_SMTP_SECURITY=starttls (port 587) or none for a local relay"
        )
    if "auth extension not supported" in text or "no suitable authentication" in text:
        return (
            f"the server at {where} offers no login (SMTP AUTH); unset STATUSPAGE_SMTP_USER,"
            " or use STATUSPAGE_SMTP_SECURITY=starttls if it offers login only over TLS"
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return (
            f"the SMTP server at {where} refused the login ({exc.code}); check"
            " STATUSPAGE_SMTP_USER and STATUSPAGE_SMTP_PASSWORD"
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 530:
        wants = "a login" if "auth" in exc.message.lower() else "STARTTLS or a login"
        return (
            f"the SMTP server at {where} wants {wants} first (530); set STATUSPAGE_SMTP_USER"
            " and STATUSPAGE_SMTP_PASSWORD (and STATUSPAGE_SMTP_SECURITY=starttls)"
        )
    return None


def _tls_certificate_error(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "certificate verify failed"
        if "certificate verify failed" in str(seen).lower():
            return "certificate verify failed"
        seen = seen.__cause__ or seen.__context__
    return None


def _code(exc: BaseException) -> str | None:
    return str(exc.code) if isinstance(exc, aiosmtplib.SMTPResponseException) else None


def _reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, ConnectionRefusedError) or "refused" in text or "errno 111" in text:
            return "connection refused"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "no such host"
        seen = seen.__cause__ if seen.__cause__ is not seen else None
    words = " ".join(str(exc).split())[:160]
    return words or type(exc).__name__


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
            raise smtp_error(exc, self.config) from exc

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
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError) as exc:
            raise smtp_error(exc, self.config) from exc
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
