"""Every guard of the public forms: rate limits (shared by all server processes), the
honeypot, the cap on confirmations, no enumeration, CSRF, and tokens that do not fit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from statuspage.links import LinkSigner
from statuspage.service import Service
from tests.conftest import FakeClock, dump
from tests.subscribe.conftest import Providers, Site, body_of, link, open_site


@pytest.fixture
def strict(db_path: Path, providers: Providers, request: pytest.FixtureRequest) -> Iterator[Site]:
    limits: dict[str, Any] = getattr(request, "param", {})
    with open_site(db_path, providers, **limits) as opened:
        yield opened


def subscribers(site: Site) -> list[str]:
    return [s.address for s in site.run(lambda svc: svc.list_subscribers())]


def main(page: str, address: str = "") -> str:
    """The page's <main>, with the address in it blanked."""
    text = page[page.index("<main") : page.index("</main>")]
    return text.replace(address, "ADDRESS") if address else text


@pytest.mark.parametrize("strict", [{"subscribe_rate_ip": 2}], indirect=True)
def test_one_client_subscribing_too_often_gets_429_with_retry_after(strict: Site) -> None:
    assert strict.subscribe("email", "a1@example.com").status_code == 200
    assert strict.subscribe("email", "a2@example.com").status_code == 200
    refused = strict.subscribe("email", "a3@example.com")
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    json = strict.client.post("/subscribe", json={"channel": "email", "email": "a4@example.com"})
    assert json.status_code == 429 and json.json()["retry_after"] > 0
    assert subscribers(strict) == ["a1@example.com", "a2@example.com"]


@pytest.mark.parametrize("strict", [{"subscribe_rate_address": 2}], indirect=True)
def test_one_address_asked_for_too_often_gets_429(strict: Site) -> None:
    for _ in range(2):
        assert strict.subscribe("email", "target@example.com").status_code == 200
    refused = strict.subscribe("email", "TARGET@example.com")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert strict.subscribe("email", "other@example.com").status_code == 200


def test_rate_limits_hold_across_server_processes(db_path: Path, providers: Providers) -> None:
    with (
        open_site(db_path, providers, subscribe_rate_ip=2) as first,
        open_site(db_path, providers, seeded=True, subscribe_rate_ip=2) as second,
    ):
        assert first.subscribe("email", "b1@example.com").status_code == 200
        assert second.subscribe("email", "b2@example.com").status_code == 200
        assert first.subscribe("email", "b3@example.com").status_code == 429
        assert second.subscribe("email", "b4@example.com").status_code == 429


def test_rate_limit_windows_follow_the_apps_clock(db_path: Path, providers: Providers) -> None:
    clock = FakeClock(datetime.now(UTC))
    with open_site(db_path, providers, clock, subscribe_rate_ip=1) as site:
        assert site.subscribe("email", "c1@example.com").status_code == 200
        assert site.subscribe("email", "c2@example.com").status_code == 429
        clock.advance(hours=1, seconds=1)
        assert site.subscribe("email", "c3@example.com").status_code == 200


def test_a_filled_honeypot_gets_the_usual_answer_and_changes_nothing(site: Site) -> None:
    real = site.subscribe("email", "person@example.com")
    bot = site.subscribe("email", "bot@example.com", website="http://spam.example")
    assert bot.status_code == real.status_code == 200
    assert main(bot.text, "bot@example.com") == main(real.text, "person@example.com")
    assert subscribers(site) == ["person@example.com"]
    site.wait(lambda: site.mails_to("person@example.com"))
    assert site.mails_to("bot@example.com") == []


@pytest.mark.parametrize("strict", [{"subscribe_pending_cap": 2}], indirect=True)
def test_confirmations_to_one_address_stop_at_the_cap(strict: Site) -> None:
    answers = []
    for sent in (1, 2, 2):
        answers.append(strict.subscribe("email", "capped@example.com"))
        strict.wait(lambda n=sent: len(strict.mails_to("capped@example.com")) == n)
    assert {a.status_code for a in answers} == {200}
    assert len({main(a.text) for a in answers}) == 1
    strict.subscribe("email", "uncapped@example.com")
    strict.wait(lambda: strict.mails_to("uncapped@example.com"))  # sent after the others
    assert len(strict.mails_to("capped@example.com")) == 2


def test_the_answer_does_not_say_whether_an_address_is_subscribed(site: Site) -> None:
    site.subscribe("email", "known@example.com", scope="some", components=site.components["Web"])
    first = site.wait(lambda: site.mails_to("known@example.com"))[0]
    site.press(site.visit(link(body_of(first), "confirm")))
    before = site.run(lambda svc: svc.get_subscriber("known@example.com"))

    again = site.subscribe("email", "known@example.com")  # "every component", by a stranger
    fresh = site.subscribe("email", "stranger@example.com")
    assert again.status_code == fresh.status_code == 200
    assert main(again.text, "known@example.com") == main(fresh.text, "stranger@example.com")
    as_json = [
        site.client.post("/subscribe", json={"channel": "email", "email": a}).json()
        for a in ("known@example.com", "stranger2@example.com")
    ]
    assert as_json[0].keys() == as_json[1].keys() and as_json[0]["status"] == "pending"

    mails = site.wait(
        lambda: [
            m for m in site.mails_to("known@example.com") if "already subscribed" in m["Subject"]
        ]
    )
    assert "/subscriptions/manage?token=" in body_of(mails[0])
    after = site.run(lambda svc: svc.get_subscriber("known@example.com"))
    # Nothing a subscriber chose changes; updated_at records the request (so that both
    # kinds of address do the same work: tests/subscribe/test_subscribe_work.py).
    assert replace(after, updated_at=before.updated_at) == before
    assert after.updated_at > before.updated_at


@pytest.mark.parametrize(
    "tamper",
    ["no token", "wrong token", "no cookie", "cross-site origin", "cross-site fetch"],
)
def test_forms_without_a_genuine_csrf_token_are_refused(site: Site, tamper: str) -> None:
    _, token = site.form("/subscribe")
    data = {"csrf_token": token, "channel": "email", "email": "victim@example.com"}
    headers = {}
    if tamper == "no token":
        del data["csrf_token"]
    elif tamper == "wrong token":
        # A character inside the signature, not at its end (the last base64 character may
        # carry unused bits, and the token may already end in the replacement).
        at = len(token) - 10
        data["csrf_token"] = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
    elif tamper == "no cookie":
        site.client.cookies.clear()
    elif tamper == "cross-site origin":
        headers["Origin"] = "https://evil.example"
    else:
        headers["Sec-Fetch-Site"] = "cross-site"
    refused = site.client.post("/subscribe", data=data, headers=headers)
    assert refused.status_code == 403 and "There is a problem" in refused.text
    assert subscribers(site) == []


def test_manage_and_confirm_forms_check_csrf_too(site: Site) -> None:
    site.subscribe("email", "csrf@example.com")
    mail = site.wait(lambda: site.mails_to("csrf@example.com"))[0]
    page = site.visit(link(body_of(mail), "confirm"))
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = site.client.post("/subscriptions/confirm", data={"token": token})
    assert refused.status_code == 403
    assert site.run(lambda svc: svc.get_subscriber("csrf@example.com")).state.value == "pending"
    site.press(page)
    signer = LinkSigner(site.settings.secret_key)
    subscriber = site.run(lambda svc: svc.get_subscriber("csrf@example.com"))
    manage = signer.token(subscriber.id, "manage")
    refused = site.client.post(
        "/subscriptions/manage", data={"token": manage, "action": "unsubscribe"}
    )
    assert refused.status_code == 403
    assert site.run(lambda svc: svc.get_subscriber("csrf@example.com")).state.value == "active"


def test_forged_foreign_and_wrong_purpose_tokens_are_refused(site: Site) -> None:
    site.subscribe("email", "tokens@example.com")
    mail = site.wait(lambda: site.mails_to("tokens@example.com"))[0]
    confirm_url = link(body_of(mail), "confirm")
    subscriber = site.run(lambda svc: svc.get_subscriber("tokens@example.com"))
    ours = LinkSigner(site.settings.secret_key)
    theirs = URLSafeTimedSerializer("another-key", salt="statuspage.subscriber.confirm")
    unsubscribe = ours.token(subscriber.id, "unsubscribe")
    for bad in ("garbage", theirs.dumps([subscriber.id, "nonce"]), unsubscribe):
        page = site.client.get(f"/subscriptions/confirm?token={bad}")
        assert page.status_code == 400 and "This link does not work" in page.text
    confirm_token = confirm_url.split("token=")[1]
    foreign = URLSafeSerializer("another-key", salt="statuspage.subscriber.manage")
    for bad in (confirm_token, unsubscribe, foreign.dumps(subscriber.id)):
        assert site.client.get(f"/subscriptions/manage?token={bad}").status_code == 400
        json = site.client.post("/subscriptions/manage", json={"token": bad})
        assert json.status_code == 400 and "error" in json.json()
    assert site.client.post(f"/subscriptions/unsubscribe?token={confirm_token}").status_code == 400
    assert site.run(lambda svc: svc.get_subscriber("tokens@example.com")).state.value == "pending"


def test_subscribing_again_voids_the_older_confirmation_link(site: Site) -> None:
    site.subscribe("email", "twice@example.com")
    first = site.wait(lambda: site.mails_to("twice@example.com"))[0]
    site.subscribe("email", "twice@example.com")
    second = site.wait(lambda: site.mails_to("twice@example.com")[1:])[0]
    old = site.visit(link(body_of(first), "confirm"))
    assert old.status_code == 400 and "newer one" in old.text
    assert site.press(site.visit(link(body_of(second), "confirm"))).status_code == 200


def test_a_confirmation_link_expires_after_48_hours(db_path: Path, providers: Providers) -> None:
    clock = FakeClock(datetime.now(UTC))  # the dispatcher sends on the real clock
    with open_site(db_path, providers, clock) as site:
        site.subscribe("email", "late@example.com")
        mail = site.wait(lambda: site.mails_to("late@example.com"))[0]
        clock.advance(hours=47)
        assert site.visit(link(body_of(mail), "confirm")).status_code == 200
        clock.advance(hours=1, seconds=1)
        expired = site.visit(link(body_of(mail), "confirm"))
        assert expired.status_code == 410 and "This link has expired" in expired.text


@pytest.mark.parametrize("strict", [{"subscribe_code_attempts": 3}], indirect=True)
def test_sms_codes_allow_a_few_attempts_only(strict: Site) -> None:
    page = strict.subscribe("sms", "+1 415 555 0111")
    [text] = strict.wait(lambda: strict.providers.twilio.bodies_to("+14155550111"))
    code = re.search(r"\b(\d{6})\b", text).group(1)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        page = strict.press(page, code=wrong)
        assert page.status_code == 422
    refused = strict.press(page, code=code)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    found = strict.run(lambda svc: svc.get_subscriber("+14155550111"))
    assert found.state.value == "pending"


def test_no_client_address_is_kept(site: Site, db_path: Path) -> None:
    site.subscribe("email", "private@example.com")
    stored = "\n".join(dump(db_path))
    assert "testclient" not in stored  # the TestClient's client address
    assert "rate_limits" in stored and "private@example.com" in stored


async def _audit_text(svc: Service) -> str:
    return repr(await svc.audit_entries(limit=100))


def test_the_audit_log_never_holds_an_address(site: Site) -> None:
    site.subscribe("email", "audited@example.com")
    text = site.run(_audit_text)
    assert "subscribers" in text and "audited@example.com" not in text
