"""A live page for the subscription tests: the real app (TestClient, its own dispatcher) with
real channels sending to the loopback stand-ins (SMTP, Twilio, webhook and Slack receivers).

The stand-ins run on an event loop in a thread of their own, so tests are plain functions
that drive the app like a browser would.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.comms.deliver.channels.twilio_signature import sign
from statuspage.config import Settings
from statuspage.events import Clock, utcnow
from statuspage.service import Service
from statuspage.storage import Store
from tests.delivery.standins import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    WEBHOOK_SECRET,
    SlackStandIn,
    SmtpRecorder,
    TwilioStandIn,
    WebhookReceiver,
    serve,
    smtp_server,
)

PLAN = Path(__file__).parent / "plans" / "subscribe.yaml"
PAGE = "http://testserver"
SECRET = "subscription-tests-secret-0123456789-ABCDEFGHIJKL"
T = TypeVar("T")


class Loop:
    """An event loop in a thread, for servers the tests talk to from outside it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.stack = AsyncExitStack()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(20)

    def close(self) -> None:
        self.run(self.stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@dataclass
class Providers:
    smtp: SmtpRecorder
    smtp_port: int
    twilio: TwilioStandIn
    twilio_url: str
    hooks: WebhookReceiver
    hooks_url: str
    slack: SlackStandIn
    slack_url: str


@pytest.fixture(scope="module")
def providers() -> Iterator[Providers]:
    loop = Loop()
    twilio, hooks, slack = TwilioStandIn(), WebhookReceiver(), SlackStandIn()
    try:
        smtp, port = loop.run(loop.stack.enter_async_context(smtp_server()))
        urls = [
            loop.run(loop.stack.enter_async_context(serve(a.app()))) for a in (twilio, hooks, slack)
        ]
        yield Providers(smtp, port, twilio, urls[0], hooks, urls[1], slack, urls[2])
    finally:
        loop.close()


@dataclass
class Site:
    """The page, as a browser and an on-call engineer use it."""

    client: TestClient
    settings: Settings
    providers: Providers
    page_id: str
    key: str
    components: dict[str, str]
    db: Path
    seen_mail: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    # -- the browser ----------------------------------------------------------------------

    def form(self, path: str) -> tuple[httpx.Response, str]:
        """GET a page with a form; its CSRF token."""
        page = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        return page, found.group(1) if found else ""

    def subscribe(self, channel: str, address: str, **fields: Any) -> httpx.Response:
        _, token = self.form(f"/subscribe?channel={channel}")
        key = {"email": "email", "sms": "phone"}.get(channel, "url")
        data = {"csrf_token": token, "channel": channel, key: address, "scope": "all", **fields}
        return self.client.post("/subscribe", data=data)

    def press(self, page: httpx.Response, **extra: str) -> httpx.Response:
        """Submit the first form of a page as it is (hidden fields and all)."""
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None, page.text
        html = page.text[action.start() :]
        html = html[: html.index("</form>")]
        data = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
        return self.client.post(action.group(1).replace("&amp;", "&"), data={**data, **extra})

    def visit(self, url: str) -> httpx.Response:
        """Follow a link from a message (absolute, on this page)."""
        parts = urlsplit(url)
        return self.client.get(f"{parts.path}?{parts.query}")

    # -- the on-call engineer -------------------------------------------------------------

    def api(self, method: str, rest: str, **kw: Any) -> Any:
        response = self.client.request(
            method,
            f"/v1/pages/{self.page_id}{rest}",
            headers={"Authorization": f"OAuth {self.key}"},
            **kw,
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def declare(self, component: str, name: str = "API errors") -> str:
        body = {
            "incident": {
                "name": name,
                "body": "We are investigating.",
                "impact_override": "major",
                "components": {self.components[component]: "major_outage"},
            }
        }
        return str(self.api("POST", "/incidents", json=body)["id"])

    def update(self, incident_id: str, text: str) -> None:
        body = {"incident": {"status": "identified", "body": text}}
        self.api("PATCH", f"/incidents/{incident_id}", json=body)

    # -- what arrives ---------------------------------------------------------------------

    def mails_to(self, address: str) -> list[EmailMessage]:
        return self.providers.smtp.to(address)

    def wait(self, check: Callable[[], T], seconds: float = 10.0) -> T:
        deadline = time.monotonic() + seconds
        while True:
            found = check()
            if found:
                return found
            assert time.monotonic() < deadline, "nothing arrived in time"
            time.sleep(0.02)

    def sms(self, sender: str, body: str) -> httpx.Response:
        """A reply to our number, signed as Twilio signs it."""
        params = {"From": sender, "Body": body, "AccountSid": ACCOUNT_SID}
        signature = sign(AUTH_TOKEN, PAGE + "/hooks/twilio/inbound", params)
        return self.client.post(
            "/hooks/twilio/inbound", data=params, headers={"X-Twilio-Signature": signature}
        )

    def run(self, use: Callable[[Service], Coroutine[Any, Any, T]]) -> T:
        """A use case against the page's database (as the CLI would run it)."""

        async def go() -> T:
            store = await Store.open(self.db)
            try:
                return await use(Service(store))
            finally:
                await store.close()

        return asyncio.run(go())


def body_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link(text: str, kind: str) -> str:
    found = re.search(rf"https?://\S+/subscriptions/{kind}\?token=[\w.\-]+", text)
    assert found is not None, text
    return found.group(0)


async def seed(db: Path) -> tuple[str, str, dict[str, str]]:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store)
        page = await svc.ensure_page("Acme", PAGE, "Europe/Berlin")
        await svc.add_group("Core")
        api = await svc.add_component("API", group="Core", description="REST API")
        web = await svc.add_component("Web", group="Core")
        docs = await svc.add_component("Docs")
        key = (await svc.create_api_key("oncall", "admin"))[1]
        return page.id, key, {"API": api.id, "Web": web.id, "Docs": docs.id}
    finally:
        await store.close()


def site_settings(db: Path, p: Providers, **changes: Any) -> Settings:
    return Settings(
        db=db,
        secret_key=SECRET,
        comms_plan=str(PLAN),
        dispatch_poll=0.02,
        tick_interval=3600,
        api_rate_limit=0,
        dispatch_backoff=0.05,
        dispatch_backoff_max=0.2,
        smtp_host="127.0.0.1",
        smtp_port=p.smtp_port,
        smtp_security="none",
        smtp_from="Acme Status <status@acme.test>",
        email_rate=1000,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_messaging_service_sid="MG" + "1" * 32,
        twilio_api_url=p.twilio_url,
        sms_rate=1000,
        webhook_secret=WEBHOOK_SECRET,
        webhook_allow_http=True,
        webhook_allow_private=True,
        webhook_rate=1000,
        slack_rate=1000,
    ).replace(**changes)


@contextmanager
def open_site(
    db: Path, p: Providers, clock: Clock = utcnow, seeded: bool = False, **changes: Any
) -> Iterator[Site]:
    """The page served by the app (seeded first, unless `seeded` says it is already)."""
    page_id, key, components = asyncio.run(seed(db)) if not seeded else ("", "", {})
    settings = site_settings(db, p, **changes)
    with TestClient(create_app(settings, clock), base_url=PAGE) as client:
        yield Site(client, settings, p, page_id, key, components, db)


@pytest.fixture
def site(db_path: Path, providers: Providers) -> Iterator[Site]:
    with open_site(db_path, providers) as opened:
        yield opened
