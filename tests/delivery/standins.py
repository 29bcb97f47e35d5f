"""Local stand-ins for the providers, on loopback, recording what they get.

They answer as the real services do, closely enough for the real clients: an SMTP server
(aiosmtpd), Twilio's Messages API, Mastodon's statuses API, Bluesky's XRPC, a Standard
Webhooks receiver that verifies signatures, and Slack incoming webhooks.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import socket
import ssl
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- SMTP --------------------------------------------------------------------------------


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler: keeps every message; `refuse[address] = "550 ..."` refuses."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    sessions: list[tuple[bool, bytes | None]] = field(default_factory=list)  # TLS?, login

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:  # fmt: skip
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:  # fmt: skip
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        login = session.auth_data.login if session.authenticated else None
        self.sessions.append((session.ssl is not None, login))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _login(users: dict[str, str]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            users.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    return check


@asynccontextmanager
async def smtp_server(
    tls: ssl.SSLContext | None = None, users: dict[str, str] | None = None
) -> AsyncIterator[tuple[SmtpRecorder, int]]:
    """An SMTP server; with `tls`, STARTTLS is required (and login, given `users`)."""
    recorder = SmtpRecorder()
    port = free_port()
    extra: dict[str, Any] = {}
    if tls is not None:
        extra = {"tls_context": tls, "require_starttls": True}
    if users:
        extra |= {"authenticator": _login(users), "auth_required": True}
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **extra)
    await asyncio.to_thread(controller.start)
    try:
        yield recorder, port
    finally:
        await asyncio.to_thread(controller.stop)


# --- HTTP servers --------------------------------------------------------------------------


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve an aiohttp app on a free loopback port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@dataclass
class TwilioStandIn:
    """Twilio's Messages API: create (with scripted errors per number) and list."""

    created: list[dict[str, str]] = field(default_factory=list)
    fail: dict[str, tuple[int, int]] = field(default_factory=dict)  # to -> (HTTP, code)
    hang: set[str] = field(default_factory=set)  # create, then never answer in time
    requests: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        app.router.add_post(path, self.create)
        app.router.add_get(path, self.list)
        return app

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def create(self, request: web.Request) -> web.Response:
        self.requests += 1
        if not self._authorised(request):
            return _twilio_error(401, 20003, "Authenticate")
        form = {k: str(v) for k, v in (await request.post()).items()}
        to = form.get("To", "")
        if to in self.fail:
            status, code = self.fail[to]
            return _twilio_error(status, code, f"error {code}")
        message = self._message(form)
        self.created.append(message)
        if to in self.hang:
            await asyncio.sleep(1.0)  # longer than the client waits
        return web.json_response(message, status=201)

    def _message(self, form: dict[str, str]) -> dict[str, str]:
        return {
            "sid": f"SM{next(self._ids):032x}",
            "account_sid": ACCOUNT_SID,
            "to": form.get("To", ""),
            "from": form.get("From", ""),
            "messaging_service_sid": form.get("MessagingServiceSid", ""),
            "body": form.get("Body", ""),
            "status": "accepted",
            "status_callback": form.get("StatusCallback", ""),
            "validity_period": form.get("ValidityPeriod", ""),
            "date_created": format_datetime(datetime.now(UTC)),
            "num_segments": "1",
            "direction": "outbound-api",
            "uri": "/2010-04-01/Accounts/x/Messages/y.json",
        }

    async def list(self, request: web.Request) -> web.Response:
        to = request.query.get("To")
        found = [m for m in reversed(self.created) if to is None or m["to"] == to]
        size = int(request.query.get("PageSize", "50"))
        return web.json_response({
            "messages": found[:size], "next_page_uri": None, "page": 0, "page_size": size,
            "uri": request.path_qs, "first_page_uri": request.path_qs,
            "previous_page_uri": None, "start": 0, "end": len(found[:size]),
        })  # fmt: skip

    def bodies_to(self, to: str) -> list[str]:
        return [m["body"] for m in self.created if m["to"] == to]


def _twilio_error(status: int, code: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


@dataclass
class WebhookReceiver:
    """Verifies Standard Webhooks signatures; answers `status[path]` (default 200)."""

    secret: str = WEBHOOK_SECRET
    received: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # path, id
    rejected: int = 0
    status: dict[str, int] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.receive)
        return app

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.rejected += 1
            return web.Response(status=401)
        path = request.path
        self.received.append((path, request.headers["webhook-id"], payload))
        self.times.append(time.monotonic())
        return web.Response(status=self.status.get(path, 200))

    def ids(self) -> Counter[str]:
        return Counter(i for _, i, _ in self.received)


@dataclass
class SlackStandIn:
    posts: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    status: dict[str, tuple[int, str]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.receive)
        return app

    async def receive(self, request: web.Request) -> web.Response:
        path = request.path
        self.posts.append((path, time.monotonic(), json.loads(await request.read())))
        status, text = self.status.get(path, (200, "ok"))
        return web.Response(status=status, text=text)


@dataclass
class MastodonStandIn:
    """Statuses API with Idempotency-Key: a repeated key returns the first status."""

    token: str = "mastodon-token"
    statuses: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    repeats: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/statuses", self.post)
        return app

    async def post(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.by_key:
            self.repeats += 1
            return web.json_response(self.by_key[key])
        data = json.loads(await request.read())
        status = {
            "id": str(100 + len(self.statuses)),
            "content": data["status"],
            "in_reply_to_id": data.get("in_reply_to_id"),
            "language": data.get("language"),
        }
        self.statuses.append(status)
        if key:
            self.by_key[key] = status
        return web.json_response(status)


@dataclass
class BlueskyStandIn:
    password: str = "app-password"
    did: str = "did:plc:status"
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey -> record
    sessions: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/xrpc/com.atproto.server.createSession", self.session)
        app.router.add_post("/xrpc/com.atproto.repo.createRecord", self.create)
        app.router.add_get("/xrpc/com.atproto.repo.getRecord", self.get)
        return app

    async def session(self, request: web.Request) -> web.Response:
        data = json.loads(await request.read())
        if data.get("password") != self.password:
            return web.json_response({"error": "AuthenticationRequired"}, status=401)
        self.sessions += 1
        return web.json_response({"accessJwt": "jwt", "refreshJwt": "r", "did": self.did,
                                  "handle": data["identifier"]})  # fmt: skip

    async def create(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer jwt":
            return web.json_response({"error": "ExpiredToken"}, status=400)
        data = json.loads(await request.read())
        rkey = data["rkey"]
        if rkey in self.records:
            message = "Record already exists"
            return web.json_response({"error": "InvalidRequest", "message": message}, status=400)
        self.records[rkey] = data["record"]
        return web.json_response(self._ref(rkey))

    async def get(self, request: web.Request) -> web.Response:
        rkey = request.query["rkey"]
        if rkey not in self.records:
            return web.json_response({"error": "RecordNotFound"}, status=400)
        return web.json_response({**self._ref(rkey), "value": self.records[rkey]})

    def _ref(self, rkey: str) -> dict[str, str]:
        return {"uri": f"at://{self.did}/app.bsky.feed.post/{rkey}", "cid": f"cid-{rkey}"}

    def posts(self) -> list[dict[str, Any]]:
        return [self.records[k] for k in sorted(self.records)]
