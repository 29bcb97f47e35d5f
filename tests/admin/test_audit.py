"""The audit log: who changed what (before and after), when and from where; append-only."""

from __future__ import annotations

import getpass
import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuspage.audit import Actor, acting_as
from statuspage.service import Service
from statuspage.storage import Store
from tests import raw_db
from tests.admin.conftest import Api
from tests.conftest import FakeClock, RunCli


@pytest.fixture
def clock() -> FakeClock:
    """The audit log is stamped with the service's clock, and `audit --since -1h` counts
    back from the real now: the app here runs at the real now too."""
    return FakeClock(datetime.now(UTC))


def entries(run_cli: RunCli, *args: str) -> list[dict]:
    result = run_cli("audit", "--json", *args)
    assert result.exit_code == 0, result.stderr
    found: list[dict] = json.loads(result.output)
    return found


def test_a_cli_write_records_the_os_user_the_host_and_the_command(run_cli: RunCli) -> None:
    run_cli("component", "add", "API")
    run_cli(
        "incident",
        "declare",
        "Down",
        "--impact",
        "critical",
        "--component",
        "API",
        "-m",
        "Looking.",
    )
    latest = entries(run_cli, "--limit", "1")[0]
    assert latest["actor"] == getpass.getuser()
    assert (latest["via"], latest["source"]) == ("cli", f"cli@{socket.gethostname()}")
    assert latest["action"] == "incident declare"
    changes = {(c["table"], c["op"]) for c in latest["changes"]}
    assert changes == {
        ("incidents", "insert"),
        ("incident_updates", "insert"),
        ("incident_components", "insert"),
        ("components", "update"),
    }
    component = next(c for c in latest["changes"] if c["table"] == "components")
    assert (component["before"]["status"], component["after"]["status"]) == (
        "operational",
        "major_outage",
    )


def test_an_api_write_records_the_key_name_the_address_and_the_route(
    api: Api, run_cli: RunCli
) -> None:
    api.ok(
        "PATCH", "/components/API", json={"component": {"status": "partial_outage"}}, scope="write"
    )
    latest = entries(run_cli, "--limit", "1")[0]
    assert (latest["actor"], latest["via"], latest["source"]) == ("write-bot", "api", "testclient")
    assert latest["action"] == "PATCH /v1/pages/{page_id}/components/{component_id}"
    [change] = latest["changes"]
    assert (
        change["before"]["status"] == "operational"
        and change["after"]["status"] == "partial_outage"
    )


def test_a_request_doing_several_things_is_one_entry(api: Api, run_cli: RunCli) -> None:
    created = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Blip",
                "status": "resolved",
                "components": {"Web": "major_outage"},
                "metadata": {"pd": {"id": "P1"}},
            }
        },
    )
    [entry] = entries(run_cli, "--incident", created["id"])
    tables = [c["table"] for c in entry["changes"]]
    assert tables.count("incident_updates") == 2 and "components" in tables
    assert entry["action"] == "POST /v1/pages/{page_id}/incidents"


def test_the_incident_and_since_filters(api: Api, run_cli: RunCli) -> None:
    one = api.ok("POST", "/incidents", 201, json={"incident": {"name": "One"}})
    api.ok("POST", "/incidents", 201, json={"incident": {"name": "Two"}})
    api.ok("PATCH", f"/incidents/{one['id']}", json={"incident": {"name": "One, renamed"}})
    mine = entries(run_cli, "--incident", one["id"])
    assert [e["action"].split()[0] for e in mine] == ["PATCH", "POST"]
    rename = mine[0]["changes"][0]
    assert (rename["before"]["name"], rename["after"]["name"]) == ("One", "One, renamed")
    ahead = run_cli("audit", "--since", "+1h")  # nothing can have changed after now
    assert ahead.exit_code == 2 and "--since '+1h' is in the future" in ahead.stderr
    assert len(entries(run_cli, "--since", "-1h")) >= 3
    text = run_cli("audit", "--incident", one["id"]).output
    assert "admin-bot via api (testclient)" in text and "name: One → One, renamed" in text


def test_a_rejected_write_leaves_no_entry(api: Api, run_cli: RunCli) -> None:
    before = entries(run_cli)
    refused = api.request(
        "POST",
        "/incidents",
        json={"incident": {"name": "X", "components": {"Nope": "major_outage"}}},
    )
    assert refused.status_code == 404
    assert entries(run_cli) == before


def test_the_log_refuses_updates_and_deletes(run_cli: RunCli, db_path: Path) -> None:
    run_cli("component", "add", "API")
    conn = raw_db.connect(db_path)
    try:
        for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
            with pytest.raises(raw_db.refused(), match="the audit log is append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    finally:
        conn.close()


def test_writes_from_outside_statuspage_are_recorded_as_unknown(
    run_cli: RunCli, db_path: Path
) -> None:
    run_cli("component", "add", "API")
    conn = raw_db.connect(db_path)
    with conn:
        conn.execute("UPDATE components SET status = 'major_outage'")
    conn.close()
    latest = entries(run_cli, "--limit", "1")[0]
    assert (latest["actor"], latest["via"]) == ("unknown", "sql")
    assert latest["changes"][0]["after"]["status"] == "major_outage"


async def test_subscriber_addresses_never_enter_the_log(svc: Service, store: Store) -> None:
    from statuspage.model import Channel, Subscriber, SubscriberState

    now = datetime.now(UTC)
    async with store.write() as q:
        await q.save_subscriber(
            Subscriber("s1", Channel.EMAIL, "ada@example.com", SubscriberState.ACTIVE, now, now)
        )
    async with store.read() as q:
        rows = await q.fetchall("SELECT after FROM audit_log WHERE table_name = 'subscribers'")
    [row] = list(rows)
    assert "ada@example.com" not in row[0] and json.loads(row[0])["state"] == "active"


async def test_token_changes_are_audited_without_the_hash(svc: Service, store: Store) -> None:
    with acting_as(Actor("ops-lead", "cli", "cli@laptop", "token create")):
        key, _ = await svc.create_api_key("bot")
        await svc.revoke_api_key("bot")
    [revoked, created] = await svc.audit_entries(limit=2)
    assert created.actor == "ops-lead" and created.changes[0].after is not None
    assert "key_hash" not in created.changes[0].after
    assert revoked.changes[0].changed_fields() == ["revoked_at"]
    assert key.created_by == "ops-lead"


async def test_a_write_inside_a_write_joins_it_and_fails_with_it(
    svc: Service, store: Store
) -> None:
    before = await store.revision()
    with pytest.raises(RuntimeError):
        async with store.write():
            await svc.add_component("API")  # a whole use case, joined
            assert [c.name for c in await svc.list_components()] == ["API"]
            raise RuntimeError("boom")
    assert await svc.list_components() == [] and await store.revision() == before
    async with store.write():
        await svc.add_component("API")
        await svc.add_component("Web")
    assert await store.revision() == before + 1
    [entry] = await svc.audit_entries(limit=1)
    assert [c.after["name"] for c in entry.changes if c.after] == ["API", "Web"]


def test_every_kind_of_api_write_is_one_entry_naming_its_route(api: Api, run_cli: RunCli) -> None:
    incident = api.ok(
        "POST",
        "/incidents",
        201,
        json={"incident": {"name": "E", "components": {"API": "major_outage"}}},
    )
    path = f"/incidents/{incident['id']}"
    update = incident["incident_updates"][0]["id"]
    writes = [
        ("PATCH", "", {"page": {"name": "Acme Status"}}),
        ("POST", "/components", {"component": {"name": "Search"}}),
        ("PATCH", "/components/Search", {"component": {"status": "partial_outage"}}),
        ("POST", "/component-groups", {"component_group": {"name": "Edge", "components": ["Web"]}}),
        ("PUT", "/component-groups/Edge", {"component_group": {"description": "CDN"}}),
        ("PATCH", path, {"incident": {"status": "resolved"}}),
        (
            "PATCH",
            f"{path}/incident_updates/{update}",
            {"incident_update": {"body": "Fixed typo."}},
        ),
        ("PUT", f"{path}/postmortem", {"postmortem": {"body_draft": "Why."}}),
        ("PUT", f"{path}/postmortem/publish", None),
        ("PUT", f"{path}/postmortem/revert", None),
        ("DELETE", f"{path}/postmortem", None),
        ("POST", "/incident_templates", {"template": {"name": "T", "title": "T", "body": "B"}}),
        ("DELETE", "/incident_templates/T", None),
        ("DELETE", "/component-groups/Edge", None),
        ("DELETE", "/components/Search", None),
        ("DELETE", path, None),
    ]
    for method, rest, body in writes:
        response = api.request(method, rest, json=body)
        assert response.status_code in (200, 201), (method, rest, response.text)
    found = entries(run_cli, "--limit", "100")
    api_entries = [e for e in found if e["via"] == "api"][: len(writes)]
    assert len(api_entries) == len(writes)
    for entry, (method, _, _) in zip(reversed(api_entries), writes, strict=True):
        assert entry["actor"] == "admin-bot" and entry["action"].startswith(method + " /v1/pages/")
        assert entry["changes"], entry
