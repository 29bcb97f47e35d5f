"""Manage API: subscribers, driven with JSON and form bodies (admin scope: personal data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import raw_db
from tests.admin.conftest import Api
from tests.conftest import FakeClock, dump

ANN, BOB = "ann@example.com", "bob@example.com"
PHONE = "+14155550123"
HOOK = "https://hooks.example.com/status"


def add(api: Api, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = api.ok("POST", "/subscribers", 201, json={"subscriber": fields})
    return created


def active(api: Api, **fields: Any) -> dict[str, Any]:
    return add(api, skip_confirmation_notification=True, **fields)


def messages(api: Api, ref: str) -> list[tuple[str, str]]:
    """(phase, state) of every message to a subscriber, from their data request."""
    data = api.ok("GET", f"/subscribers/{ref}/data")
    return [(m["phase"], m["state"]) for m in data["messages"]]


def emails(found: list[dict[str, Any]]) -> list[str]:
    return [s["email"] or s["phone_number"] or s["endpoint"] for s in found]


def test_an_email_subscriber_waits_for_the_confirmation_they_are_sent(api: Api) -> None:
    created = add(api, email="Ann@Example.com", component_ids=["API"], tags=["enterprise"])
    assert (created["mode"], created["email"], created["state"]) == ("email", ANN, "pending")
    assert created["components"] == [api.id_of("API")] and created["all_components"] is False
    assert created["tags"] == ["enterprise"] and created["language"] == "en"
    assert created["skip_confirmation_notification"] is False
    assert created["purge_at"] == "2026-03-12T12:00:00.000Z"  # 48 h to confirm
    assert messages(api, created["id"]) == [("subscription_confirm", "queued")]
    data = api.ok("GET", f"/subscribers/{ANN}/data")
    assert data["awaiting_confirmation"]["expires_at"] == created["purge_at"]


def test_a_form_body_subscribes_a_number_at_once_when_confirmation_is_skipped(api: Api) -> None:
    created = api.ok(
        "POST",
        "/subscribers",
        201,
        data={
            "subscriber[phone_number]": "(415) 555-0123",
            "subscriber[phone_country]": "US",
            "subscriber[skip_confirmation_notification]": "true",
            "subscriber[tags][]": ["region-us", "enterprise"],
        },
    )
    assert (created["mode"], created["phone_number"], created["state"]) == ("sms", PHONE, "active")
    assert created["display_phone_number"] == "+1 415-555-0123"
    assert created["phone_country"] == "US" and created["tags"] == ["enterprise", "region-us"]
    assert created["all_components"] is True
    assert created["components"] == [api.id_of("API"), api.id_of("Web")]
    assert created["skip_confirmation_notification"] is True and created["purge_at"] is None
    assert messages(api, created["id"]) == []  # they agreed elsewhere: nothing is sent


def test_a_webhook_is_tested_before_it_is_active_unless_that_is_skipped(api: Api) -> None:
    hook = add(api, endpoint=HOOK, component_ids=["Web"])
    assert (hook["mode"], hook["endpoint"], hook["state"]) == ("webhook", HOOK, "pending")
    assert messages(api, hook["id"]) == [("subscription_test", "queued")]
    slack = active(api, mode="slack", endpoint="https://hooks.slack.com/services/T0/B0/x")
    assert (slack["mode"], slack["state"]) == ("slack", "active")
    assert messages(api, slack["id"]) == []


def test_subscribers_are_listed_by_filter_and_page_by_page(api: Api, clock: FakeClock) -> None:
    active(api, email="carol@example.com", component_ids=["API"], tags=["enterprise"])
    clock.advance(minutes=1)
    active(api, email=ANN, component_ids=["Web"])
    clock.advance(minutes=1)
    add(api, email=BOB, tags=["enterprise"])
    clock.advance(minutes=1)
    active(api, phone_number=PHONE)
    assert emails(api.ok("GET", "/subscribers")) == ["carol@example.com", ANN, PHONE]
    every = api.ok("GET", "/subscribers", params={"state": "all"})
    assert emails(every) == ["carol@example.com", ANN, BOB, PHONE]
    assert emails(api.ok("GET", "/subscribers", params={"state": "unconfirmed"})) == [BOB]
    assert emails(api.ok("GET", "/subscribers", params={"type": "sms"})) == [PHONE]
    by_tag = api.ok("GET", "/subscribers", params={"tag": "enterprise", "state": "all"})
    assert emails(by_tag) == ["carol@example.com", BOB]
    hears_of_api = api.ok("GET", "/subscribers", params={"component": "API", "state": "all"})
    assert emails(hears_of_api) == ["carol@example.com", BOB, PHONE]  # theirs, or all
    assert emails(api.ok("GET", "/subscribers", params={"q": "ann@"})) == [ANN]
    assert emails(api.ok("GET", "/subscribers", params={"q": "ANN@Example"})) == [ANN]
    pages = [
        emails(api.ok("GET", "/subscribers", params={"limit": 2, "page": n})) for n in (0, 1, 2)
    ]
    assert pages == [["carol@example.com", ANN], [PHONE], []]
    by_address = {"sort_field": "primary", "sort_direction": "desc", "state": "all"}
    assert emails(api.ok("GET", "/subscribers", params=by_address)) == [
        "carol@example.com",
        BOB,
        ANN,
        PHONE,
    ]


def test_one_subscriber_is_found_by_id_address_or_number(api: Api) -> None:
    ann = active(api, email=ANN)
    sms = active(api, phone_number=PHONE)
    assert api.ok("GET", f"/subscribers/{ann['id']}") == ann
    assert api.ok("GET", "/subscribers/ANN@example.com") == ann
    assert api.ok("GET", f"/subscribers/{PHONE}")["id"] == sms["id"]
    missing = api.request("GET", "/subscribers/nobody@example.com")
    assert missing.status_code == 404
    assert missing.json()["error"] == (
        "unknown subscriber 'nobody@example.com'; see `statuspage subscribers list`"
    )


def test_components_tags_and_language_are_changed_in_place(api: Api, clock: FakeClock) -> None:
    ann = active(api, email=ANN, tags=["eu"])
    clock.advance(hours=1)
    moved = api.ok("PATCH", f"/subscribers/{ann['id']}", json={"component_ids": ["Web"]})
    assert moved["components"] == [api.id_of("Web")] and moved["all_components"] is False
    assert moved["updated_at"] == "2026-03-10T13:00:00.000Z" and moved["tags"] == ["eu"]
    tagged = api.ok(
        "PATCH",
        f"/subscribers/{ANN}",
        json={"subscriber": {"add_tags": ["vip", "enterprise"], "remove_tags": ["eu"]}},
    )
    assert tagged["tags"] == ["enterprise", "vip"] and tagged["components"] == [api.id_of("Web")]
    replaced = api.ok(
        "PATCH",
        f"/subscribers/{ANN}",
        data={"subscriber[tags][]": "region-eu", "subscriber[language]": "de"},
    )
    assert (replaced["tags"], replaced["language"]) == (["region-eu"], "de")
    everything = api.ok("PATCH", f"/subscribers/{ANN}", json={"subscriber": {"component_ids": []}})
    assert everything["all_components"] is True
    assert api.ok("GET", "/subscribers", params={"tag": "region-eu"})[0]["id"] == ann["id"]


def test_unsubscribing_cancels_what_waits_and_reactivating_starts_again(api: Api) -> None:
    ann = add(api, email=ANN)
    hook = active(api, endpoint=HOOK)
    api.ok("POST", "/subscribers/unsubscribe", 204, json={"subscribers": [ann["id"], HOOK]})
    left = api.ok("GET", f"/subscribers/{ann['id']}")
    assert left["state"] == "unsubscribed" and left["unsubscribed_at"] == left["updated_at"]
    assert messages(api, ann["id"]) == [("subscription_confirm", "cancelled")]
    assert api.ok("GET", f"/subscribers/{ann['id']}/data")["awaiting_confirmation"] is None
    api.ok("POST", "/subscribers/reactivate", 204, json={"subscribers": [ann["id"], hook["id"]]})
    back = api.ok("GET", f"/subscribers/{ann['id']}")
    assert (back["state"], back["unsubscribed_at"]) == ("active", None)
    assert messages(api, ann["id"])[-1] == ("subscription_welcome", "queued")
    retested = api.ok("GET", f"/subscribers/{hook['id']}")
    assert retested["state"] == "pending"  # a webhook answers a test event first
    assert messages(api, hook["id"]) == [("subscription_test", "queued")]
    deleted = api.ok("DELETE", f"/subscribers/{ANN}")
    assert deleted["id"] == ann["id"] and deleted["state"] == "unsubscribed"


def test_all_in_a_bulk_request_means_everyone_the_operation_applies_to(api: Api) -> None:
    ann, bob = active(api, email=ANN), active(api, email=BOB)
    waiting = add(api, phone_number=PHONE)
    api.ok("POST", "/subscribers/unsubscribe", 204, json={"subscribers": "all"})
    states = {s["id"]: s["state"] for s in api.ok("GET", "/subscribers", params={"state": "all"})}
    assert states == {
        ann["id"]: "unsubscribed",
        bob["id"]: "unsubscribed",
        waiting["id"]: "pending",
    }
    api.ok("POST", "/subscribers/reactivate", 204, json={"subscribers": "all"})
    assert {s["id"] for s in api.ok("GET", "/subscribers")} == {ann["id"], bob["id"]}
    api.ok("POST", "/subscribers/resend_confirmation", 204, json={"subscribers": "all"})
    assert messages(api, waiting["id"]) == [
        ("subscription_confirm", "cancelled"),
        ("subscription_confirm", "queued"),
    ]
    sms_waiting = {"subscribers": "all", "type": "sms", "state": "pending"}
    api.ok("POST", "/subscribers/unsubscribe", 204, json=sms_waiting)
    assert api.ok("GET", f"/subscribers/{PHONE}")["state"] == "unsubscribed"
    assert len(api.ok("GET", "/subscribers")) == 2


def test_a_new_confirmation_voids_the_older_one(api: Api, clock: FakeClock, db_path: Path) -> None:
    bob = add(api, email=BOB)
    clock.advance(hours=47)
    api.ok("POST", "/subscribers/resend_confirmation", 204, json={"subscribers": [BOB]})
    data = api.ok("GET", f"/subscribers/{bob['id']}/data")
    assert data["awaiting_confirmation"]["expires_at"] == "2026-03-14T11:00:00.000Z"
    assert api.ok("GET", f"/subscribers/{BOB}")["purge_at"] == "2026-03-14T11:00:00.000Z"
    assert [m["last_error"] for m in data["messages"]] == [
        "a newer confirmation replaced it",
        None,
    ]
    active(api, email=ANN)
    before = dump(db_path)
    api.ok("POST", "/subscribers/resend_confirmation", 204, json={"subscribers": [ANN]})
    assert dump(db_path) == before  # only pending subscribers are sent one


def test_count_lists_every_mode_and_follows_the_filters(api: Api) -> None:
    active(api, email=ANN, tags=["enterprise"], component_ids=["API"])
    active(api, email=BOB, component_ids=["Web"])
    add(api, phone_number=PHONE, tags=["enterprise"])
    active(api, endpoint=HOOK)
    zero = {"email": 0, "sms": 0, "webhook": 0, "slack": 0, "integration_partner": 0}
    assert api.ok("GET", "/subscribers/count") == {**zero, "email": 2, "webhook": 1}
    assert api.ok("GET", "/subscribers/count", params={"state": "all"}) == {
        **zero,
        "email": 2,
        "sms": 1,
        "webhook": 1,
    }
    by_type = api.ok("GET", "/subscribers/count", params={"type": "sms", "state": "pending"})
    assert by_type == {**zero, "sms": 1}
    tagged = api.ok("GET", "/subscribers/count", params={"tag": "enterprise", "state": "all"})
    assert tagged == {**zero, "email": 1, "sms": 1}
    web = api.ok("GET", "/subscribers/count", params={"component": "Web"})
    assert web == {**zero, "email": 1, "webhook": 1}  # Bob, and the webhook of all


def test_purging_erases_the_subscriber_and_every_message_to_them(api: Api, db_path: Path) -> None:
    ann = add(api, email=ANN)
    erased = api.ok("DELETE", f"/subscribers/{ann['id']}", params={"purge": "true"})
    assert erased["email"] == ANN
    assert api.request("GET", f"/subscribers/{ann['id']}").status_code == 404
    assert api.request("GET", f"/subscribers/{ANN}/data").status_code == 404
    conn = raw_db.connect(db_path)
    try:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM subscribers), (SELECT count(*) FROM outbox"
            " WHERE recipient_id = ?), (SELECT count(*) FROM subscriber_confirmations)",
            (ann["id"],),
        ).fetchone()
    finally:
        conn.close()
    assert left == (0, 0, 0)


def test_an_import_takes_the_valid_rows_in_one_go_and_names_the_rest(api: Api) -> None:
    csv = (
        "channel,address,components,tags\n"
        "email,ann@example.com,API,enterprise;eu\n"
        "email,not an address,,\n"
        "sms,+1 415 555 0123,,\n"
    )
    body = {"csv": csv, "skip_confirmation_notification": True}
    report = api.ok("POST", "/subscribers/import", json=body)
    assert report == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": [],
        "rejected": [
            {
                "line": 3,
                "reason": "'not an address' is not an e-mail address like name@example.com",
            }
        ],
    }
    ann = api.ok("GET", f"/subscribers/{ANN}")
    assert (ann["state"], ann["tags"], ann["components"]) == (
        "active",
        ["enterprise", "eu"],
        [api.id_of("API")],
    )
    again = api.ok("POST", "/subscribers/import", json=body)
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_a_bulk_request_names_at_most_100_subscribers(api: Api, db_path: Path) -> None:
    rows = "".join(f"email,user{n}@example.com\n" for n in range(101))
    body = {"csv": "channel,address\n" + rows, "skip_confirmation_notification": True}
    assert api.ok("POST", "/subscribers/import", json=body)["created"] == 101
    before = dump(db_path)
    everyone = api.request("POST", "/subscribers/unsubscribe", json={"subscribers": "all"})
    assert everyone.status_code == 422
    assert everyone.json()["error"] == '"all" is limited to 100 subscribers; name them instead'
    ids = [s["id"] for s in api.ok("GET", "/subscribers", params={"limit": 101})]
    named = api.request("POST", "/subscribers/unsubscribe", json={"subscribers": ids})
    assert named.status_code == 422 and named.json()["error"] == "at most 100 subscribers at a time"
    assert dump(db_path) == before


OPERATIONS = [
    ("GET", "/subscribers", {}),
    ("POST", "/subscribers", {"json": {"subscriber": {"email": BOB}}}),
    ("GET", "/subscribers/count", {}),
    ("POST", "/subscribers/unsubscribe", {"json": {"subscribers": [ANN]}}),
    ("POST", "/subscribers/reactivate", {"json": {"subscribers": [ANN]}}),
    ("POST", "/subscribers/resend_confirmation", {"json": {"subscribers": [ANN]}}),
    ("POST", "/subscribers/import", {"json": {"csv": "channel,address\nemail,c@example.com\n"}}),
    ("GET", f"/subscribers/{ANN}", {}),
    ("PATCH", f"/subscribers/{ANN}", {"json": {"component_ids": ["API"]}}),
    ("DELETE", f"/subscribers/{ANN}", {"params": {"purge": "true"}}),
    ("GET", f"/subscribers/{ANN}/data", {}),
]


@pytest.mark.parametrize("scope", ["read", "write"])
def test_every_subscriber_operation_needs_an_admin_key(api: Api, db_path: Path, scope: str) -> None:
    add(api, email=ANN)
    for key in ("read", "write"):  # each key's first use is stamped
        api.request("GET", "", scope=key)
    before = dump(db_path)
    for method, path, kwargs in OPERATIONS:
        refused = api.request(method, path, scope=scope, **kwargs)
        assert refused.status_code == 403, (method, path)
        assert refused.json() == {"error": f"this key has scope {scope}; this request needs admin"}
    anonymous = api.client.get(api.url("/subscribers"))
    assert anonymous.status_code == 401
    assert dump(db_path) == before
    assert len(OPERATIONS) == 11


BAD = [
    ("POST", "/subscribers", {"json": {"email": BOB}}, 422, "the body is {'subscriber': ...}"),
    ("POST", "/subscribers", {"json": {"subscriber": {}}}, 422, "give subscriber[email]"),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "colour": "red"}}},
        422,
        "unknown field subscriber[colour]",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": "not-an-address"}}},
        422,
        "'not-an-address' is not an e-mail address like name@example.com",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "mode": "fax"}}},
        422,
        "invalid channel 'fax'; accepted values: email, sms, webhook, slack",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "mode": "sms"}}},
        422,
        "subscriber[phone_number] is required for mode sms",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"phone_number": "12", "phone_country": "US"}}},
        422,
        "'12' is not a valid phone number in US; give it with its country code, like"
        " +1 415 555 0123",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"endpoint": "http://hooks.example.com/x"}}},
        422,
        "'http://hooks.example.com/x' must start with https://",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"endpoint": "https://10.0.0.8/x"}}},
        422,
        "'https://10.0.0.8/x' leads to a private or local address; only public ones",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "component_ids": ["Nope"]}}},
        422,
        "unknown component 'Nope'; known components: API, Web",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "tags": ["no spaces"]}}},
        422,
        "bad tag 'no spaces'",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "tags": "vip"}}},
        422,
        "subscriber[tags] must be a list of strings",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "language": "English"}}},
        422,
        "unknown language 'English'; choose one of en, ru, zh-Hans "
        "(or another language code like de or pt_BR)",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": BOB, "language": "xx"}}},
        422,
        "unknown language 'xx'; choose one of en, ru, zh-Hans "
        "(or another language code like de or pt_BR)",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"phone_number": "415 555 0123", "phone_country": "USA"}}},
        422,
        "subscriber[phone_country] is 3 characters long; the limit is 2",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"phone_number": "415 555 0123", "phone_country": "ZZ"}}},
        422,
        "unknown country 'ZZ'; give a two-letter code such as US or DE",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": "a" * 250 + "@example.com"}}},
        422,
        "subscriber[email] is 262 characters long; the limit is 254",
    ),
    (
        "POST",
        "/subscribers",
        {"json": {"subscriber": {"email": "ANN@example.com"}}},
        409,
        "ann@example.com is already a subscriber",
    ),
    (
        "POST",
        "/subscribers",
        {"data": {"subscriber[email]": BOB, "subscriber[skip_confirmation_notification]": "y"}},
        422,
        "must be true or false",
    ),
    (
        "PATCH",
        f"/subscribers/{ANN}",
        {"json": {"subscriber": {"component_ids": ["API", "Nope"]}}},
        422,
        "unknown component 'Nope'; known components: API, Web",
    ),
    (
        "PATCH",
        f"/subscribers/{ANN}",
        {"json": {"subscriber": {"language": "xx"}}},
        422,
        "unknown language 'xx'; choose one of en, ru, zh-Hans "
        "(or another language code like de or pt_BR)",
    ),
    (
        "PATCH",
        f"/subscribers/{ANN}",
        {"json": {"subscriber": {"add_tags": ["ok", "not ok"]}}},
        422,
        "bad tag 'not ok'",
    ),
    (
        "PATCH",
        "/subscribers/nobody@example.com",
        {"json": {"component_ids": ["API"]}},
        404,
        "unknown subscriber 'nobody@example.com'",
    ),
    (
        "POST",
        "/subscribers/unsubscribe",
        {"json": {}},
        422,
        "subscribers is required",
    ),
    (
        "POST",
        "/subscribers/unsubscribe",
        {"json": {"subscribers": [ANN, "nope12345678"]}},
        404,
        "unknown subscriber 'nope12345678'",
    ),
    (
        "POST",
        "/subscribers/reactivate",
        {"json": {"subscribers": "some"}},
        422,
        'subscribers must be a list of ids, or "all"',
    ),
    (
        "POST",
        "/subscribers/resend_confirmation",
        {"json": {"subscribers": "all", "type": "fax"}},
        422,
        "type must be one of: email, sms, webhook, slack; not 'fax'",
    ),
    ("POST", "/subscribers/import", {"json": {"csv": ""}}, 422, "csv must not be empty"),
    (
        "POST",
        "/subscribers/import",
        {"json": {"csv": "name,address\nx,y\n"}},
        422,
        "unknown column 'name'",
    ),
    ("DELETE", "/subscribers/nobody@example.com", {}, 404, "unknown subscriber"),
    (
        "DELETE",
        f"/subscribers/{ANN}",
        {"params": {"purge": "perhaps"}},
        422,
        "purge must be true or false",
    ),
    ("GET", "/subscribers", {"params": {"state": "gone"}}, 422, "state must be one of"),
    ("GET", "/subscribers", {"params": {"component": "Nope"}}, 404, "unknown component 'Nope'"),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"), BAD, ids=[b[4][:40] for b in BAD]
)
def test_rejected_input_gets_a_clear_error_and_stores_nothing(
    api: Api, db_path: Path, method: str, path: str, kwargs: dict, status: int, message: str
) -> None:
    add(api, email=ANN, tags=["eu"])  # pending: a confirmation waits
    before = dump(db_path)
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
    assert dump(db_path) == before


def test_the_audit_log_records_who_changed_a_subscriber_but_never_an_address(
    api: Api, db_path: Path
) -> None:
    add(api, email=ANN, tags=["eu"])
    add(api, phone_number=PHONE)
    add(api, endpoint=HOOK)
    api.ok("PATCH", f"/subscribers/{ANN}", json={"subscriber": {"add_tags": ["vip"]}})
    api.ok("POST", "/subscribers/resend_confirmation", 204, json={"subscribers": [PHONE]})
    api.ok("POST", "/subscribers/unsubscribe", 204, json={"subscribers": [HOOK]})
    api.ok("POST", "/subscribers/reactivate", 204, json={"subscribers": [HOOK]})
    csv = "channel,address\nemail,bob@example.com\n"
    api.ok("POST", "/subscribers/import", json={"csv": csv})
    api.ok("DELETE", f"/subscribers/{ANN}", params={"purge": "true"})
    conn = raw_db.connect(db_path)
    try:
        log = conn.execute(
            "SELECT actor, action, table_name, before, after FROM audit_log"
        ).fetchall()
    finally:
        conn.close()
    actions = {(actor, action) for actor, action, *_ in log}
    assert ("admin-bot", "DELETE /v1/pages/{page_id}/subscribers/{subscriber_id}") in actions
    assert ("admin-bot", "POST /v1/pages/{page_id}/subscribers/import") in actions
    patched = [(t, b, a) for _, action, t, b, a in log if (action or "").startswith("PATCH")]
    assert [(t, b, json.loads(a)["tag"]) for t, b, a in patched if t != "subscribers"] == [
        ("subscriber_tags", None, "vip")
    ]  # what changed, not every tag written again
    text = repr(log).lower()
    for address in (ANN, "bob@example.com", PHONE, "4155550123", "hooks.example.com"):
        assert address not in text
