"""Subscribing in a real browser: the Subscribe button, the form, the confirmation mail (a real
SMTP server), the confirm page, and the manage page; each page checked with axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.browser.conftest import PHONE, Mailbox, Tabs, axe_violations


def mailed_link(mail: Mailbox, address: str, subject: str, kind: str) -> str:
    message = mail.wait_for(address, subject)
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(rf"https?://\S+/subscriptions/{kind}\?token=[\w.\-]+", body.get_content())
    assert found is not None, body.get_content()
    return found.group(0)


def test_subscribing_by_email_confirming_and_managing_the_subscription(
    tabs: Tabs, demo: str, mail: Mailbox
) -> None:
    page = tabs.open(PHONE)
    page.goto(demo + "/")
    page.locator(".banner a.subscribe").click()
    page.wait_for_url(re.compile(r"/subscribe\?lang=en$"))
    assert page.locator("h1").inner_text() == "Subscribe to updates"
    assert axe_violations(page) == []

    page.get_by_label("E-mail address").fill("reader@example.com")
    page.get_by_label("Only the components I tick below").check()
    page.get_by_label("API", exact=True).check()
    page.get_by_role("button", name="Subscribe", exact=True).click()
    assert page.locator("h1").inner_text() == "Check your inbox"
    assert "reader@example.com" in page.inner_text("main")
    assert axe_violations(page) == []

    page.goto(mailed_link(mail, "reader@example.com", "Confirm", "confirm"))
    assert page.locator("h1").inner_text() == "Confirm your subscription"
    assert "API" in page.inner_text("main")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("h1").inner_text() == "You are subscribed"
    assert axe_violations(page) == []

    _manage(page)


def _manage(page: Page) -> None:
    page.get_by_role("link", name="Change what you hear about, or unsubscribe").click()
    assert page.locator("h1").inner_text() == "Your subscription"
    assert page.get_by_label("API", exact=True).is_checked()
    assert axe_violations(page) == []
    page.get_by_label("Web Dashboard").check()
    page.get_by_role("button", name="Save changes").click()
    assert "Your changes are saved." in page.inner_text("main")
    assert page.get_by_label("Web Dashboard").is_checked()
    assert page.get_by_label("API", exact=True).is_checked()
