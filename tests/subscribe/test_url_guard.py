"""The private-address guard sees the host the HTTP client will connect to: Unicode
digits and dots, other IPv4 notations, mapped IPv6 and a trailing dot are all refused, at
every place a webhook or Slack URL comes in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from statuspage.url_guard import target_host
from tests.conftest import RunCli, dump
from tests.subscribe.conftest import Providers, Site, open_site

BYPASSES = [
    "https://①②⑦.0.0.1/hook",
    "https://127。0。0。1/hook",
    "https://１２７.０.０.１/hook",
    "https://127．0．0．1/hook",
    "https://0x7f.1/hook",
    "https://2130706433/hook",
    "https://0177.0.0.1/hook",
    "https://127.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://127.0.0.1./hook",
    "https://localhost./hook",
    "https://ＬＯＣＡＬＨＯＳＴ/hook",
    "https://api.localhost/hook",
    "https://⑩.0.0.1/hook",
    "https://①⑨②.①⑥⑧.0.1/hook",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",
    "https://[::127.0.0.1]/hook",
    "https://[2002:7f00:1::]/hook",
]


def subscribers(db: Path) -> list[tuple[str, ...]]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute("SELECT channel, address FROM subscribers"))
    finally:
        conn.close()


REFUSED = "leads to a private or local address; only public ones are allowed"


@pytest.mark.parametrize(
    ("url", "host"),
    [("https://①②⑦.0.0.1/", "127.0.0.1"), ("https://127。0。0。1/", "127.0.0.1"),
     ("https://0x7f.1/", "127.0.0.1"), ("https://2130706433/", "127.0.0.1"),
     ("https://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
     ("https://Bücher.Example./", "xn--bcher-kva.example"),
     ("https://９３.184.216.34/", "93.184.216.34"),
     ("https://hooks.slack.com/x", "hooks.slack.com")],
)  # fmt: skip
def test_the_target_host_is_the_one_the_client_connects_to(url: str, host: str) -> None:
    assert target_host(url) == host


@pytest.fixture
def guarded(db_path: Path, providers: Providers) -> Iterator[Site]:
    with open_site(db_path, providers, webhook_allow_private=False) as opened:
        yield opened


@pytest.mark.parametrize("url", BYPASSES)
def test_the_subscribe_form_refuses_a_private_address_in_any_notation(
    guarded: Site, url: str
) -> None:
    answer = guarded.subscribe("webhook", url)
    assert answer.status_code == 422
    assert "The URL must lead to a public address" in answer.text
    assert subscribers(guarded.db) == []


@pytest.mark.parametrize("url", BYPASSES)
@pytest.mark.parametrize("channel", ["webhook", "slack"])
def test_subscribe_json_refuses_a_private_address_in_any_notation(
    guarded: Site, url: str, channel: str
) -> None:
    answer = guarded.client.post("/subscribe", json={"channel": channel, "url": url})
    assert answer.status_code == 422
    assert answer.json()["field"] == "url" and "public address" in answer.json()["error"]
    assert subscribers(guarded.db) == []


@pytest.mark.parametrize("url", BYPASSES)
def test_the_manage_api_refuses_a_private_address_in_any_notation(guarded: Site, url: str) -> None:
    auth = {"Authorization": f"OAuth {guarded.key}"}
    base = f"/v1/pages/{guarded.page_id}/subscribers"
    created = guarded.client.post(base, json={"subscriber": {"endpoint": url}}, headers=auth)
    assert created.status_code == 422, created.text
    assert REFUSED in created.json()["error"]
    csv = f"channel,address\nwebhook,{url}\nslack,{url}\n"
    imported = guarded.client.post(base + "/import", json={"csv": csv}, headers=auth)
    assert imported.status_code == 200 and imported.json()["created"] == 0
    rejected = imported.json()["rejected"]
    assert len(rejected) == 2 and all(REFUSED in r["reason"] for r in rejected), rejected
    assert subscribers(guarded.db) == []


@pytest.mark.parametrize("url", BYPASSES)
def test_the_cli_refuses_a_private_address_in_any_notation(
    run_cli: RunCli, db_path: Path, tmp_path: Path, url: str
) -> None:
    run_cli("component", "list")  # the database exists
    before = dump(db_path)
    added = run_cli("subscribers", "add", "webhook", url)
    assert added.exit_code == 2
    assert added.stderr.startswith("error: ") and REFUSED in added.stderr
    file = tmp_path / "hooks.csv"
    file.write_text(f"channel,address\nwebhook,{url}\nslack,{url}\n", encoding="utf-8")
    imported = run_cli("subscribers", "import", str(file))
    assert imported.exit_code == 1 and imported.output.count(REFUSED) == 2, imported.output
    assert dump(db_path) == before


@pytest.mark.parametrize("channel", ["webhook", "slack"])
def test_a_host_label_over_63_characters_is_a_422_not_a_500(site: Site, channel: str) -> None:
    url = "https://" + "a" * 64 + ".example.com/hook"
    form = site.subscribe(channel, url)
    assert form.status_code == 422 and "at most 63 characters between dots" in form.text
    assert 'name="csrf_token"' in form.text  # the form again, with the error shown
    answer = site.client.post("/subscribe", json={"channel": channel, "url": url})
    assert answer.status_code == 422 and answer.json()["field"] == "url"
    assert "at most 63 characters between dots" in answer.json()["error"]


CONTROLS = ["https://example.org/\x1b[31m", "https://example.org/\x07", "https://\x00/"]


@pytest.mark.parametrize("url", CONTROLS)
def test_a_url_with_a_control_character_is_refused_everywhere(
    guarded: Site, run_cli: RunCli, db_path: Path, tmp_path: Path, url: str
) -> None:
    answer = guarded.client.post("/subscribe", json={"channel": "webhook", "url": url})
    assert answer.status_code == 422 and answer.json()["field"] == "url"
    auth = {"Authorization": f"OAuth {guarded.key}"}
    base = f"/v1/pages/{guarded.page_id}/subscribers"
    created = guarded.client.post(base, json={"subscriber": {"endpoint": url}}, headers=auth)
    assert created.status_code == 422, created.text
    assert subscribers(guarded.db) == []
    before = dump(db_path)
    added = run_cli("subscribers", "add", "webhook", url, "--skip-confirmation")
    assert added.exit_code == 2 and added.stderr.startswith("error: ")
    assert "\x1b" not in added.stderr and "\x07" not in added.stderr  # shown escaped
    assert dump(db_path) == before
