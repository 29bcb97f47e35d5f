"""SMS (code or YES) and webhook/Slack (a test event answered 2xx) end to end."""

from __future__ import annotations

import re

import httpx

from statuspage.service import Service
from tests.subscribe.conftest import Site


def code_in(body: str) -> str:
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None, body
    return found.group(1)


def sms_to(site: Site, number: str, count: int = 1) -> list[str]:
    return site.wait(
        lambda: (
            site.providers.twilio.bodies_to(number)[count - 1 :]
            and site.providers.twilio.bodies_to(number)
        )
    )


def test_an_sms_subscription_is_confirmed_with_its_code_and_stopped_by_stop(site: Site) -> None:
    page = site.subscribe("sms", "(415) 555-0101", phone_country="US")
    assert page.status_code == 200 and "Enter your code" in page.text
    assert "+1 415-555-0101" in page.text
    [text] = sms_to(site, "+14155550101")
    assert "Acme" in text and "YES" in text
    code = code_in(text)
    wrong = site.press(page, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and "not right" in wrong.text
    done = site.press(wrong, code=code)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert "STOP" in sms_to(site, "+14155550101", 2)[1]  # the welcome

    incident = site.declare("API")
    declared = sms_to(site, "+14155550101", 3)[2]
    assert "API errors" in declared and declared.endswith("Reply STOP to stop.")
    assert site.sms("+14155550101", "Stop").status_code == 200
    site.update(incident, "Found it.")
    site.declare("Web", "Web errors")
    site.wait(lambda: site.run(queued) == 0)
    assert len(site.providers.twilio.bodies_to("+14155550101")) == 3


async def queued(svc: Service) -> int:
    async with svc.store.read() as q:
        return sum((await q.queued_by_channel()).values())


def test_replying_yes_confirms_an_sms_subscription(site: Site) -> None:
    site.subscribe("sms", "+1 415 555 0102")
    sms_to(site, "+14155550102")
    reply = site.sms("+14155550102", "yes")
    assert reply.status_code == 200 and "<Message>" not in reply.text
    found = site.run(lambda svc: svc.get_subscriber("+14155550102"))
    assert found.state.value == "active" and found.phone_country == "US"
    assert "STOP" in sms_to(site, "+14155550102", 2)[1]


def test_a_code_sent_by_sms_reply_confirms_too_but_a_wrong_one_does_not(site: Site) -> None:
    site.subscribe("sms", "+1 415 555 0103")
    code = code_in(sms_to(site, "+14155550103")[0])
    wrong = site.sms("+14155550103", "123456" if code != "123456" else "654321")
    assert "not right" in wrong.text
    assert site.run(lambda svc: svc.get_subscriber("+14155550103")).state.value == "pending"
    site.sms("+14155550103", code)
    assert site.run(lambda svc: svc.get_subscriber("+14155550103")).state.value == "active"


def test_a_webhook_is_active_only_once_its_test_event_got_a_2xx(site: Site) -> None:
    hooks = site.providers.hooks
    url = site.providers.hooks_url + "/wh/acme"
    hooks.status["/wh/acme"] = 500
    page = site.subscribe("webhook", url)
    assert page.status_code == 200 and "test event" in page.text
    [(_, _, test)] = site.wait(lambda: [r for r in hooks.received if r[0] == "/wh/acme"])
    assert test["meta"]["event"] == "subscription.test"
    manage = site.visit(test["meta"]["manage"])
    assert "did not accept the test event yet" in manage.text
    assert "HTTP 500" in manage.text
    assert site.run(lambda svc: svc.get_subscriber(url)).state.value == "pending"
    incident = site.declare("API")  # a pending webhook hears nothing of it

    hooks.status["/wh/acme"] = 204
    retested = _retest(site, manage)
    assert "We are sending the test event again" in retested.text
    site.wait(lambda: site.run(lambda svc: svc.get_subscriber(url)).state.value == "active")
    site.update(incident, "Found it.")
    events = site.wait(
        lambda: [p for path, _, p in hooks.received if path == "/wh/acme" and "incident" in p]
    )
    assert [e["incident"]["incident_updates"][0]["body"] for e in events] == ["Found it."]
    assert "Your subscription" in site.visit(events[0]["meta"]["manage"]).text
    assert "Stop all updates" in site.visit(events[0]["meta"]["unsubscribe"]).text
    assert site.run(lambda svc: svc.get_subscriber(url)).state.value == "active"


def _retest(site: Site, manage: httpx.Response) -> httpx.Response:
    """Press "Send the test event again" on the manage page."""
    form = manage.text[manage.text.index('value="retest"') - 400 :]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    token = re.search(r'name="token" value="([^"]+)"', form)
    assert csrf and token
    data = {"csrf_token": csrf.group(1), "token": token.group(1), "action": "retest"}
    return site.client.post("/subscriptions/manage", data=data)


def test_a_slack_subscription_starts_with_a_message_to_the_channel(site: Site) -> None:
    url = site.providers.slack_url + "/services/T0/B0/x"
    site.subscribe("slack", url, scope="some", components=site.components["API"])
    [(_, _, message)] = site.wait(
        lambda: [p for p in site.providers.slack.posts if p[0] == "/services/T0/B0/x"]
    )
    assert "This channel will get updates from Acme" in message["text"]
    assert "/subscriptions/manage?token=" in str(message["blocks"])
    site.wait(lambda: site.run(lambda svc: svc.get_subscriber(url)).state.value == "active")
    site.declare("API")
    posts = site.wait(
        lambda: [
            p
            for path, _, p in site.providers.slack.posts
            if path == "/services/T0/B0/x" and "API errors" in p["text"]
        ]
    )
    assert len(posts) == 1
    links = str(posts[0]["blocks"])
    assert "/subscriptions/manage?token=" in links and "/subscriptions/unsubscribe?token=" in links
