"""The browser suite's fixtures: Debian's Chromium driven by Playwright (one browser for the
suite), the real server (`statuspage serve`) on loopback with the demo page, a real SMTP
server recording what the page sends, and axe-core (as axe-playwright-python ships it) for
the accessibility checks.

`make tools` installs `chromium`; without it these tests are skipped, saying so. The fixtures
are package-scoped, not session-scoped: Playwright's sync API keeps an event loop running in
the main thread while it is open, which the asyncio tests that run after this folder cannot
share.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from statuspage.demo import DEMO_ENV
from statuspage.service import Service
from statuspage.storage import Store
from tests.delivery.standins import SmtpRecorder
from tests.test_app import free_port, wait_until_serving

CHROMIUM = "/usr/bin/chromium"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# axe-core's impact levels that fail a page.
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (`make tools` installs Debian's chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class Tabs:
    """New browser contexts (own cookies, viewport, colour scheme), closed after the test."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.opened: list[BrowserContext] = []

    def open(
        self,
        viewport: ViewportSize = DESKTOP,
        scheme: Literal["light", "dark"] = "light",
        locale: str = "en-US",
    ) -> Page:
        context = self.browser.new_context(
            viewport=viewport,
            color_scheme=scheme,
            locale=locale,
            is_mobile=viewport["width"] < 600,
            has_touch=viewport["width"] < 600,
        )
        context.set_default_timeout(10_000)
        self.opened.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def tabs(browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(browser)
    try:
        yield opened
    finally:
        opened.close()


@dataclass(frozen=True)
class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) and what it was sent."""

    recorder: SmtpRecorder
    port: int

    def wait_for(self, address: str, subject: str, seconds: float = 10.0) -> EmailMessage:
        deadline = time.monotonic() + seconds
        while True:
            found = [m for m in self.recorder.to(address) if subject in str(m["Subject"])]
            if found:
                return found[-1]
            assert time.monotonic() < deadline, f"no mail to {address} about {subject!r}"
            time.sleep(0.05)


@pytest.fixture(scope="package")
def mail() -> Iterator[Mailbox]:
    recorder, port = SmtpRecorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox(recorder, port)
    finally:
        controller.stop()


class Served:
    """`statuspage serve` in a process of its own, on a loopback port."""

    def __init__(self, db: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db, self.env, self.log = db, env, log

    def cli(self, *args: str) -> None:
        command = [sys.executable, "-m", "statuspage.cli", "--db", str(self.db), *args]
        subprocess.run(command, check=True, capture_output=True, env=self.env)

    def __enter__(self) -> Served:
        self.output = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "statuspage.cli", "--db", str(self.db), "serve",
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.output, stderr=subprocess.STDOUT, env=self.env,
        )  # fmt: skip
        wait_until_serving(self.url + "/", self.proc, self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)
        self.output.close()


def served_env(smtp_port: int) -> dict[str, str]:
    """The demo's settings (`make demo`), mail to the recording SMTP server, sent at once."""
    return {
        **os.environ,
        **DEMO_ENV,
        "STATUSPAGE_SMTP_PORT": str(smtp_port),
        "STATUSPAGE_DISPATCH_POLL": "0.05",
        "STATUSPAGE_API_RATE_LIMIT": "0",
    }


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory, mail: Mailbox) -> Iterator[str]:
    """The demo page (`init --demo`: logo, accent, an open incident, languages), served with
    the demo's settings (security contact, subscriptions by e-mail and webhook); its URL."""
    work = tmp_path_factory.mktemp("demo")
    server = Served(work / "demo.db", served_env(mail.port), work / "serve.log")
    server.cli("init", "--demo", "--url", server.url)
    with server:
        yield server.url


@pytest.fixture(scope="package")
def busy(tmp_path_factory: pytest.TempPathFactory, mail: Mailbox) -> Iterator[str]:
    """A page with six open incidents at once and a few components; its URL."""
    work = tmp_path_factory.mktemp("busy")
    server = Served(work / "busy.db", served_env(mail.port), work / "serve.log")
    # In a thread: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _seed_busy(work / "busy.db", server.url)).result()
    with server:
        yield server.url


async def _seed_busy(db: Path, url: str) -> None:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store)
        await svc.ensure_page("Acme", url, "UTC")
        for name in ("API", "Web", "Search", "Billing"):
            await svc.add_component(name, start_date=(svc.now() - timedelta(days=100)).date())
        for n, impact in enumerate(("minor", "major", "critical", "minor", "major", "minor")):
            body = f"Incident {n} update. " + "We are looking into the cause of this. " * 6
            await svc.declare_incident(f"Incident {n}", message=body, impact=impact)
    finally:
        await store.close()


AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now (WCAG 2.x A/AA)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs outside the page's CSP (script-src 'self'), unlike a <script> tag.
        page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
