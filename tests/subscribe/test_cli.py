"""`statuspage subscribers ...` on the local database: the commands, the CSV import (line
numbers, idempotence, one transaction) and data requests (export, erasure)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from statuspage.model import SubscriberState
from statuspage.service import Service
from statuspage.service.subscriber_import import ImportRow
from statuspage.storage import Queries, Store
from tests.conftest import TEST_SECRET_KEY, RunCli, dump
from tests.subscribe.conftest import PLAN


@pytest.fixture
def page(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(PLAN))
    monkeypatch.setenv("STATUSPAGE_SECRET_KEY", TEST_SECRET_KEY)
    for name in ("API", "Web"):
        assert run_cli("component", "add", name).exit_code == 0
    return run_cli


def ok(run: RunCli, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def test_add_list_tag_count_and_remove(page: RunCli) -> None:
    added = ok(
        page, "subscribers", "add", "email", "Ann@Example.com", "--component", "API", "--tag", "eu"
    )
    assert added.startswith("Added ann@example.com (") and "pending" in added
    assert "active" in ok(
        page,
        "subscribers",
        "add",
        "sms",
        "(415) 555-0123",
        "--country",
        "US",
        "--skip-confirmation",
    )
    listed = ok(page, "subscribers", "list")
    assert "email    pending  API         eu    ann@example.com" in listed
    assert "sms      active   all         -     +14155550123" in listed
    assert ok(page, "subscribers", "tag", "ann@example.com", "vip").endswith("eu, vip.\n")
    assert ok(page, "subscribers", "untag", "ann@example.com", "eu").endswith("vip.\n")
    only_api = json.loads(ok(page, "subscribers", "list", "--component", "Web", "--json"))
    assert [s["phone_number"] for s in only_api] == ["+14155550123"]  # all components
    counts = json.loads(ok(page, "subscribers", "count", "--state", "all", "--json"))
    assert counts == {"email": 1, "sms": 1, "webhook": 0, "slack": 0}
    assert "Unsubscribed ann@example.com" in ok(page, "subscribers", "remove", "ann@example.com")
    assert "email    1" not in ok(page, "subscribers", "count")  # active only


def test_bad_input_is_one_line_exit_2_and_changes_nothing(page: RunCli, db_path: Path) -> None:
    ok(page, "subscribers", "add", "email", "ann@example.com")
    before = dump(db_path)
    for args in (
        ("add", "email", "not-an-address"),
        ("add", "email", "ann@example.com"),
        ("add", "email", "bob@example.com", "--component", "Nope"),
        ("add", "sms", "12", "--country", "US"),
        ("add", "webhook", "http://hooks.example.com/x"),
        ("add", "webhook", "https://127.0.0.1/x"),
        ("tag", "ann@example.com", "no spaces"),
        ("remove", "nobody@example.com"),
    ):
        result = page("subscribers", *args)
        assert result.exit_code == 2 and result.stderr.startswith("error: "), args
        assert result.stderr.count("\n") == 1, result.stderr
    assert dump(db_path) == before


CSV = """channel,address,components,tags
email,good@example.com,API,enterprise;eu
email,not an address,,
sms,+1 415 555 0199,Nope,
email,GOOD@example.com,,
webhook,https://hooks.example.com/status,API;Web,,extra
sms,+14155550188,,
"""


def test_import_reports_rejected_rows_by_line_and_imports_the_rest(
    page: RunCli, tmp_path: Path, db_path: Path
) -> None:
    file = tmp_path / "in.csv"
    file.write_text(CSV)
    result = page("subscribers", "import", str(file))
    assert result.exit_code == 1
    assert result.stdout == "Imported 2 new, 0 updated, 0 unchanged; 0 skipped, 4 rejected.\n"
    assert result.stderr.splitlines() == [
        f"{file}:3: rejected: 'not an address' is not an e-mail address like name@example.com",
        f"{file}:4: rejected: unknown component 'Nope'; known components: API, Web",
        f"{file}:5: rejected: the same address as line 2",
        f"{file}:6: rejected: 5 cells, but the header has 4 columns",
    ]
    listed = ok(page, "subscribers", "list")
    assert "good@example.com" in listed and "+14155550188" in listed
    before = dump(db_path)
    again = page("subscribers", "import", str(file))
    assert again.stdout == "Imported 0 new, 0 updated, 2 unchanged; 0 skipped, 4 rejected.\n"
    assert dump(db_path) == before  # nothing written, no second confirmation


def test_import_never_resubscribes_and_skips_confirmation_when_told(
    page: RunCli, tmp_path: Path
) -> None:
    ok(page, "subscribers", "add", "email", "left@example.com", "--skip-confirmation")
    ok(page, "subscribers", "remove", "left@example.com")
    file = tmp_path / "in.csv"
    file.write_text("channel,address\nemail,left@example.com\nemail,new@example.com\n")
    result = page("subscribers", "import", str(file), "--skip-confirmation")
    assert result.exit_code == 0 and "1 new" in result.stdout and "1 skipped" in result.stdout
    assert "2: skipped: unsubscribed; not subscribed again by an import" in result.stderr
    states = json.loads(ok(page, "subscribers", "list", "--json"))
    assert {s["email"]: s["state"] for s in states} == {
        "left@example.com": "unsubscribed",
        "new@example.com": "active",
    }


async def test_the_valid_rows_of_an_import_are_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = Service(store)
    await svc.ensure_page("Acme", "https://status.acme.test", "Etc/UTC")
    saved = Queries.save_subscriber
    calls: list[str] = []

    async def fails_third(self: Queries, s: object) -> None:
        calls.append("save")
        if len(calls) == 3:
            raise RuntimeError("disk full")
        await saved(self, s)  # type: ignore[arg-type]

    monkeypatch.setattr(Queries, "save_subscriber", fails_third)
    rows = [
        ImportRow(n + 2, {"channel": "email", "address": f"r{n}@example.com"}) for n in range(4)
    ]
    with pytest.raises(RuntimeError):
        await svc.import_subscribers(["channel", "address"], rows, skip_confirmation=True)
    monkeypatch.setattr(Queries, "save_subscriber", saved)
    assert await svc.list_subscribers() == []


def test_export_writes_what_import_reads(page: RunCli, tmp_path: Path) -> None:
    ok(page, "subscribers", "add", "email", "ann@example.com", "--component", "API", "--tag", "a")
    ok(page, "subscribers", "add", "sms", "+14155550123", "--skip-confirmation")
    out = tmp_path / "out.csv"
    assert ok(page, "subscribers", "export", str(out)) == f"Wrote 2 subscribers to {out}.\n"
    lines = out.read_text().splitlines()
    assert lines[0] == (
        "id,channel,address,phone_country,components,tags,language,state,created_at,confirmed_at"
    )
    assert ",email,ann@example.com,,API,a,en,pending," in lines[1]
    assert ok(page, "subscribers", "import", str(out)).startswith("Imported 0 new, 0 updated, 2")


async def _outbox_rows(db: Path, subscriber_id: str) -> int:
    store = await Store.open(db)
    try:
        async with store.read() as q:
            return sum(1 for r in await q.outbox_rows() if r.recipient_id == subscriber_id)
    finally:
        await store.close()


def test_a_data_request_exports_everything_then_erases_it(page: RunCli, db_path: Path) -> None:
    import asyncio

    added = json.loads(ok(page, "subscribers", "add", "email", "ann@example.com", "--json"))
    ok(
        page,
        "incident",
        "declare",
        "API errors",
        "--impact",
        "major",
        "--component",
        "API",
        "--message",
        "Investigating.",
    )
    data = json.loads(ok(page, "subscribers", "export", "--id", "ann@example.com"))
    assert data["subscriber"]["address"] == "ann@example.com"
    assert [m["phase"] for m in data["messages"]] == ["subscription_confirm"]  # pending: no more
    assert data["awaiting_confirmation"]["new_address"] is None
    assert asyncio.run(_outbox_rows(db_path, added["id"])) == 1
    erased = ok(page, "subscribers", "delete", "--id", "ann@example.com", "--yes")
    assert erased == f"Erased ann@example.com ({added['id']}) and every message to them.\n"
    assert asyncio.run(_outbox_rows(db_path, added["id"])) == 0
    assert "ann@example.com" not in "\n".join(dump(db_path))
    assert page("subscribers", "show", added["id"]).exit_code == 2


def test_an_unconfirmed_subscription_is_deleted_by_the_tick_once_expired(
    page: RunCli, db_path: Path
) -> None:
    ok(page, "subscribers", "add", "email", "never@example.com")
    assert "Deleted" not in ok(page, "tick")
    ok(page, "subscribers", "add", "email", "soon@example.com")
    with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:  # its link ran out
        conn.execute(
            "UPDATE subscriber_confirmations SET expires_at = '2000-01-01T00:00:00Z' WHERE"
            " subscriber_id = (SELECT id FROM subscribers WHERE address = 'soon@example.com')"
        )
    assert "Deleted 1 subscription never confirmed." in ok(page, "tick")
    assert [s["email"] for s in json.loads(ok(page, "subscribers", "list", "--json"))] == [
        "never@example.com"
    ]
    assert SubscriberState.PENDING.value in ok(page, "subscribers", "list")


def _own_messages(db: Path) -> list[tuple[str, str, str, str | None]]:
    """(address, template, state, last_error) of every outbox row to a subscriber."""
    conn = sqlite3.connect(db)
    try:
        return list(
            conn.execute(
                "SELECT s.address, o.template, o.state, o.last_error FROM outbox o"
                " JOIN subscribers s ON s.id = o.recipient_id ORDER BY o.id"
            )
        )
    finally:
        conn.close()


def test_subscribing_pending_rows_by_import_cancels_their_unsent_confirmations(
    page: RunCli, tmp_path: Path, db_path: Path
) -> None:
    file = tmp_path / "in.csv"
    file.write_text(
        "channel,address\nsms,+14155550123\nwebhook,https://hooks.example.com/status\n"
        "email,ann@example.com\n"
    )
    ok(page, "subscribers", "import", str(file))
    assert {state for _, _, state, _ in _own_messages(db_path)} == {"queued"}
    ok(page, "subscribers", "import", str(file), "--skip-confirmation")
    assert {s["state"] for s in json.loads(ok(page, "subscribers", "list", "--json"))} == {"active"}
    why = "subscribed without confirmation by an import"
    assert _own_messages(db_path) == [
        ("+14155550123", "subscription_confirm", "cancelled", why),
        ("https://hooks.example.com/status", "subscription_test", "cancelled", why),
        ("ann@example.com", "subscription_confirm", "cancelled", why),
    ]


def test_an_unknown_language_is_refused_and_a_known_one_kept(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    before = dump(db_path)
    refused = page("subscribers", "add", "email", "y@example.com", "--language", "xx")
    assert refused.exit_code == 2
    refusal = (
        "unknown language 'xx'; choose one of en, ru, zh-Hans "
        "(or another language code like de or pt_BR)"
    )
    assert refused.stderr == f"error: {refusal}\n"
    assert dump(db_path) == before
    file = tmp_path / "in.csv"
    file.write_text("channel,address,language\nemail,z@example.com,xx\n")
    imported = page("subscribers", "import", str(file))
    assert imported.exit_code == 1
    assert imported.stderr == f"{file}:2: rejected: {refusal}\n"
    assert dump(db_path) == before
    for n, code in enumerate(("pt_BR", "zh-Hans", "de")):
        ok(page, "subscribers", "add", "email", f"y{n}@example.com", "--language", code)
        shown = json.loads(ok(page, "subscribers", "show", f"y{n}@example.com", "--json"))
        assert shown["language"] == code


def test_delete_without_yes_and_no_terminal_is_one_error_line_and_erases_nothing(
    page: RunCli, db_path: Path
) -> None:
    ok(page, "subscribers", "add", "email", "ann@example.com")
    before = dump(db_path)
    refused = page("subscribers", "delete", "--id", "ann@example.com")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: erasing ann@example.com cannot be undone: pass --yes to erase without asking\n"
    )
    assert dump(db_path) == before


def test_staff_errors_are_one_lower_case_line_naming_the_value(page: RunCli) -> None:
    for args, line in (
        (("add", "sms", "12", "--country", "US"), "'12' is not a valid phone number in US"
         "; give it with its country code, like +1 415 555 0123"),
        (("add", "sms", "415 555 0123", "--country", "USA"),
         "unknown country 'USA'; give a two-letter code such as US or DE"),
        (("add", "email", "a@b", "--component", "Nope"), "'a@b' is not an e-mail address like "
         "name@example.com"),
        (("add", "email", "a@example.com", "--component", "Nope"),
         "unknown component 'Nope'; known components: API, Web"),
    ):  # fmt: skip
        result = page("subscribers", *args)
        assert (result.exit_code, result.stderr) == (2, f"error: {line}\n"), args


def test_import_lists_skipped_and_rejected_rows_in_line_order(page: RunCli, tmp_path: Path) -> None:
    file = tmp_path / "in.csv"
    file.write_text(
        "channel,address,state\nemail,bad,\nemail,gone@example.com,unsubscribed\n"
        "email,ok@example.com,\nemail,worse,\n"
    )
    result = page("subscribers", "import", str(file))
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [
        f"{file}:2", f"{file}:3", f"{file}:5"
    ]  # fmt: skip
    assert ": skipped: unsubscribed in the file" in result.stderr.splitlines()[1]


def test_export_of_one_subscriber_says_subscriber(page: RunCli, tmp_path: Path) -> None:
    ok(page, "subscribers", "add", "email", "ann@example.com")
    out = tmp_path / "out.csv"
    assert ok(page, "subscribers", "export", str(out)) == f"Wrote 1 subscriber to {out}.\n"


def test_show_prints_every_field_of_one_subscriber(page: RunCli) -> None:
    added = json.loads(ok(
        page, "subscribers", "add", "sms", "415 555 0123", "--country", "US", "--component",
        "API", "--tag", "eu", "--tag", "vip", "--language", "de", "--json",
    ))  # fmt: skip
    shown = ok(page, "subscribers", "show", "+14155550123").splitlines()
    assert shown[0] == f"Subscriber {added['id']}: +14155550123"
    fields = dict(line.split(":", 1) for line in shown[1:])
    assert {k: v.strip() for k, v in fields.items() if k not in TIMES} == {
        "Channel": "sms", "Components": "API", "Tags": "eu, vip", "Language": "de",
        "Country": "US",
    }  # fmt: skip
    assert fields["State"].strip().startswith("pending (deleted 20")
    assert fields["State"].strip().endswith("unless confirmed)")
    assert fields["Created"].strip().endswith(("CET", "CEST"))  # the page's time zone
    assert (fields["Confirmed"].strip(), fields["Unsubscribed"].strip()) == ("-", "-")
    as_json = json.loads(ok(page, "subscribers", "show", "+14155550123", "--json"))
    assert as_json == json.loads(ok(page, "subscribers", "list", "--json"))[0]


TIMES = ("State", "Created", "Updated", "Confirmed", "Unsubscribed")
