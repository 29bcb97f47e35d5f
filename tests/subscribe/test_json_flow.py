"""The JSON twins of the subscription pages, end to end: subscribe, confirm (by the link or
the SMS code), read and change the subscription, unsubscribe."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.subscribe.conftest import Providers, Site, body_of, link, open_site
from tests.subscribe.test_sms_and_hooks_flow import code_in, sms_to

JSON = {"Accept": "application/json"}


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def post(site: Site, path: str, body: dict[str, Any], status: int = 200) -> Any:
    answer = site.client.post(path, json=body)
    assert answer.status_code == status, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


def test_an_email_subscription_runs_entirely_in_json(site: Site) -> None:
    api, docs = site.components["API"], site.components["Docs"]
    wanted = {"channel": "email", "email": "Json@Example.com", "components": [api]}
    asked = post(site, "/subscribe", wanted, 202)
    assert asked == {
        "status": "pending",
        "channel": "email",
        "address": "json@example.com",
        "next": "confirm with the link we e-mailed (it works for 48 hours)",
    }
    mail = site.wait(lambda: site.mails_to("json@example.com"))[0]
    confirm = token_of(link(body_of(mail), "confirm"))
    shown = site.client.get("/subscriptions/confirm", params={"token": confirm}, headers=JSON)
    assert shown.json()["state"] == "pending"  # opening the link confirms nothing
    assert shown.json()["awaiting_confirmation"]["address"] == "json@example.com"
    done = post(site, "/subscriptions/confirm", {"token": confirm})
    assert (done["state"], done["components"]) == ("active", [{"id": api, "name": "API"}])

    welcome = site.wait(lambda: site.mails_to("json@example.com")[1:])[0]
    manage = token_of(link(body_of(welcome), "manage"))
    mine = site.client.get("/subscriptions/manage", params={"token": manage}, headers=JSON)
    assert mine.json() == done
    moved = post(site, "/subscriptions/manage", {"token": manage, "components": [docs]})
    assert moved["components"] == [{"id": docs, "name": "Docs"}]
    refused = post(site, "/subscriptions/manage", {"token": manage, "language": "xx"}, 422)
    assert refused == {"error": "Choose one of the languages offered.", "field": "language"}

    unsubscribe = token_of(link(body_of(welcome), "unsubscribe"))
    gone = site.client.post(f"/subscriptions/unsubscribe?token={unsubscribe}", headers=JSON)
    assert gone.json() == {"id": done["id"], "state": "unsubscribed"}
    back = post(site, "/subscriptions/manage", {"token": manage, "action": "resubscribe"})
    assert back["state"] == "active" and back["components"] == moved["components"]


def test_an_sms_subscription_is_confirmed_with_its_code_in_json(site: Site) -> None:
    wanted = {"channel": "sms", "phone": "415 555 0177", "phone_country": "US"}
    asked = post(site, "/subscribe", wanted, 202)
    assert asked["address"] == "+14155550177"
    code = code_in(sms_to(site, "+14155550177")[0])
    wrong = "000000" if code != "000000" else "111111"
    attempt = {"phone": "+14155550177", "code": wrong}
    refused = site.client.post("/subscriptions/confirm", json=attempt)
    assert refused.status_code == 422 and "not right" in refused.json()["error"]
    typed = {"phone": "(415) 555-0177", "phone_country": "US", "code": code}
    done = post(site, "/subscriptions/confirm", typed)
    assert (done["channel"], done["state"]) == ("sms", "active")


def test_a_channel_not_on_offer_is_refused_naming_the_channels_offered(
    db_path: Path, providers: Providers
) -> None:
    with open_site(db_path, providers, subscribe_channels="email,webhook") as site:
        refused = post(site, "/subscribe", {"channel": "sms", "phone": "+14155550123"}, 422)
        assert refused == {
            "error": "Choose how you want to hear from us: email, webhook.",
            "field": "channel",
        }
        assert site.run(lambda svc: svc.list_subscribers()) == []


def test_the_public_answers_keep_their_sentences_where_staff_get_one_line(site: Site) -> None:
    wanted = {"channel": "sms", "phone": "12", "phone_country": "US"}
    refused = post(site, "/subscribe", wanted, 422)
    assert refused == {
        "error": "This is not a valid phone number for that country.",
        "field": "phone",
    }
    page = site.subscribe("sms", "12", phone_country="US")
    assert page.status_code == 422
    assert "This is not a valid phone number for that country." in page.text
    staff = site.client.post(
        f"/v1/pages/{site.page_id}/subscribers",
        json={"subscriber": {"phone_number": "12", "phone_country": "US"}},
        headers={"Authorization": f"OAuth {site.key}"},
    )
    assert staff.status_code == 422
    assert staff.json() == {
        "error": "'12' is not a valid phone number in US; give it with its country code, like"
        " +1 415 555 0123"
    }
