"""E-mail end to end: the form, the confirmation mail, the link, an incident's mails with
working manage and one-click unsubscribe links, and silence after unsubscribing."""

from __future__ import annotations

import re

from tests.subscribe.conftest import Site, body_of, link


def confirm_by_mail(site: Site, address: str) -> None:
    mail = site.wait(lambda: site.mails_to(address))[-1]
    page = site.visit(link(body_of(mail), "confirm"))
    assert page.status_code == 200 and "Confirm your subscription" in page.text
    done = site.press(page)
    assert done.status_code == 200 and "You are subscribed" in done.text


def test_an_email_subscription_is_confirmed_then_receives_updates_until_unsubscribed(
    site: Site,
) -> None:
    answer = site.subscribe(
        "email", "Ann@Example.com", scope="some", components=site.components["API"]
    )
    assert answer.status_code == 200 and "Check your inbox" in answer.text

    [confirmation] = site.wait(lambda: site.mails_to("ann@example.com"))
    assert "Confirm your subscription" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe"] is None  # not on a list yet
    opened = site.visit(link(body_of(confirmation), "confirm"))
    assert "API" in opened.text and "ann@example.com" in opened.text  # what they chose
    confirmed = site.press(opened)
    assert "You are subscribed" in confirmed.text and "API" in confirmed.text
    welcome = site.wait(lambda: site.mails_to("ann@example.com")[1:])[0]
    assert "You are subscribed" in welcome["Subject"]

    incident = site.declare("API")
    declared = site.wait(
        lambda: [m for m in site.mails_to("ann@example.com") if "API errors" in m["Subject"]]
    )[0]
    text = body_of(declared)
    manage = site.visit(link(text, "manage"))
    assert manage.status_code == 200 and "Your subscription" in manage.text
    one_click = declared["List-Unsubscribe"]
    assert declared["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<(https?://[^>]+)>", one_click).group(1)  # type: ignore[union-attr]
    assert url == link(text, "unsubscribe")

    path = url.removeprefix("http://testserver")
    posted = site.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert posted.status_code == 200 and "You are unsubscribed" in posted.text

    before = len(site.mails_to("ann@example.com"))
    site.update(incident, "We found the cause.")
    site.declare("API", "More API errors")  # and a new incident: nothing either
    assert _settled(site)
    assert len(site.mails_to("ann@example.com")) == before


def _settled(site: Site) -> bool:
    """Every message of the page has been sent, or dropped: nothing waits."""

    async def queued(svc) -> int:  # type: ignore[no-untyped-def]
        async with svc.store.read() as q:
            return sum((await q.queued_by_channel()).values())

    return bool(site.wait(lambda: site.run(queued) == 0 or None))


def test_a_subscriber_of_another_component_hears_nothing(site: Site) -> None:
    site.subscribe("email", "web-only@example.com", scope="some", components=site.components["Web"])
    site.subscribe("email", "everything@example.com")
    confirm_by_mail(site, "web-only@example.com")
    confirm_by_mail(site, "everything@example.com")
    site.declare("Docs", "Docs are slow")
    site.wait(
        lambda: [
            m for m in site.mails_to("everything@example.com") if "Docs are slow" in m["Subject"]
        ]
    )
    assert _settled(site)
    assert not [m for m in site.mails_to("web-only@example.com") if "Docs" in m["Subject"]]


def test_opening_the_unsubscribe_link_only_asks(site: Site) -> None:
    site.subscribe("email", "careful@example.com")
    confirm_by_mail(site, "careful@example.com")
    welcome = site.wait(lambda: site.mails_to("careful@example.com")[1:])[0]
    page = site.visit(link(body_of(welcome), "unsubscribe"))
    assert page.status_code == 200 and "Stop all updates" in page.text
    found = site.run(lambda svc: svc.get_subscriber("careful@example.com"))
    assert found.state.value == "active"  # a mail scanner's GET changes nothing
    assert "You are unsubscribed" in site.press(page).text
    found = site.run(lambda svc: svc.get_subscriber("careful@example.com"))
    assert found.state.value == "unsubscribed"


def test_the_manage_page_changes_components_and_language_and_can_resubscribe(
    site: Site,
) -> None:
    site.subscribe("email", "chooser@example.com")
    confirm_by_mail(site, "chooser@example.com")
    welcome = site.wait(lambda: site.mails_to("chooser@example.com")[1:])[0]
    page = site.visit(link(body_of(welcome), "manage"))
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    saved = site.press(page, scope="some", components=site.components["Docs"])
    assert saved.status_code == 200 and "Your changes are saved" in saved.text
    found = site.run(lambda svc: svc.get_subscriber("chooser@example.com"))
    assert found.component_ids == (site.components["Docs"],) and not found.all_components
    unsubscribed = site.client.post(
        "/subscriptions/manage",
        data={
            "token": token,
            "action": "unsubscribe",
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', saved.text).group(1),  # type: ignore[union-attr]
        },
    )
    assert "You are unsubscribed" in unsubscribed.text
    again = site.press(unsubscribed)
    assert "You are subscribed again" in again.text
    assert site.run(lambda svc: svc.get_subscriber("chooser@example.com")).state.value == "active"


def test_a_new_address_is_used_only_once_confirmed(site: Site) -> None:
    site.subscribe("email", "old@example.com")
    confirm_by_mail(site, "old@example.com")
    welcome = site.wait(lambda: site.mails_to("old@example.com")[1:])[0]
    page = site.visit(link(body_of(welcome), "manage"))
    sent = site.press(page, email="new@example.com")
    assert "We sent a confirmation to the new address" in sent.text
    assert site.run(lambda svc: svc.get_subscriber("old@example.com")).address == "old@example.com"
    mail = site.wait(lambda: site.mails_to("new@example.com"))[0]
    assert "Confirm your new address" in mail["Subject"]
    site.press(site.visit(link(body_of(mail), "confirm")))
    moved = site.run(lambda svc: svc.get_subscriber("new@example.com"))
    assert (
        moved.state.value == "active"
        and moved.id == site.run(lambda svc: svc.list_subscribers())[0].id
    )
