"""The page links to /subscribe only when it takes subscriptions, naming the channels it offers."""

from __future__ import annotations

import re

from tests.subscribe.conftest import Site


def test_the_page_links_to_subscribe_naming_the_offered_channels(site: Site) -> None:
    html = site.client.get("/").text
    # The page's language rides along (every language has its tree; /subscribe is shared).
    assert 'class="button" href="/subscribe?lang=en"' in html
    footer = re.search(r'<a href="/subscribe\?lang=en">Subscribe</a> \(([^)]*)\)', html)
    assert footer is not None, html
    assert footer.group(1) == ", ".join(
        {"email": "e-mail", "sms": "SMS", "webhook": "webhook", "slack": "Slack"}[c.value]
        for c in site.client.app.state.subscribe_offer.channels  # type: ignore[attr-defined]
    )
    assert "e-mail" in footer.group(1)
