"""The comms CLI: plan validate/show, comms preview/approve, --dry-run, overdue lists, tick."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.config import Settings
from statuspage.errors import PlanError
from statuspage.model import new_id
from statuspage.resources import DEFAULT_PLAN
from statuspage.service import Service
from statuspage.storage import Store
from tests.comms.conftest import PLANS
from tests.conftest import FakeClock, RunCli, dump

BROKEN = PLANS / "broken"


@pytest.fixture
def page(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """A page under the shipped default plan, with API and Web components."""
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    monkeypatch.setenv("STATUSPAGE_SLACK_INCIDENTS_URL", "https://hooks.slack.test/incidents")
    configured(monkeypatch)
    for args in (
        ("page", "set", "--name", "Acme Status", "--url", "https://status.acme.test"),
        ("component", "add", "API"),
        ("component", "add", "Web"),
    ):
        assert run_cli(*args).exit_code == 0
    return run_cli


OWNER_VARIABLES = {
    f"OWNER_{role}_{kind}": "+14155550100" if kind == "SMS" else "oncall@acme.test"
    for role in ("IC", "COMMS_LEAD", "SUPPORT_LEAD", "ENG_MANAGER", "ACCOUNT_MANAGERS", "FINANCE")
    for kind in ("EMAIL", "SMS")
}
CHANNEL_SETTINGS = {
    "STATUSPAGE_SMTP_HOST": "127.0.0.1", "STATUSPAGE_SMTP_FROM": "status@acme.test",
    "STATUSPAGE_TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "STATUSPAGE_TWILIO_AUTH_TOKEN": "t" * 32,
    "STATUSPAGE_TWILIO_FROM": "+14155550199",
    "STATUSPAGE_WEBHOOK_SECRET": "whsec_" + "A" * 32,
    "STATUSPAGE_MASTODON_URL": "https://acme.social", "STATUSPAGE_MASTODON_TOKEN": "t" * 20,
}  # fmt: skip


def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every owner's contact and every channel set, as where messages are sent."""
    for name, value in {**OWNER_VARIABLES, **CHANNEL_SETTINGS}.items():
        monkeypatch.setenv(name, value)


def seed(db_path: Path, channel: str, count: int, *, tags: tuple[str, ...] = ()) -> None:
    """`count` active subscribers of every component on one channel."""
    conn = sqlite3.connect(db_path)
    now = "2026-01-01T00:00:00.000000Z"
    ids = [new_id() for _ in range(count)]
    address = {"email": "{}@x.test", "sms": "+1415{}", "webhook": "https://h.test/{}"}
    conn.executemany(
        "INSERT INTO subscribers (id, channel, address, state, created_at, updated_at)"
        " VALUES (?, ?, ?, 'active', ?, ?)",
        [(i, channel, address[channel].format(i), now, now) for i in ids],
    )
    conn.executemany(
        "INSERT INTO subscriber_tags (subscriber_id, tag) VALUES (?, ?)",
        [(i, t) for i in ids for t in tags],
    )
    conn.commit()
    conn.close()


def declare(run: RunCli, *extra: str, message: str = "We are investigating API errors.") -> str:
    result = run(
        "incident", "declare", "Elevated API errors", "--severity", "SEV1", "--component", "API",
        "-m", message, "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def test_plan_validate_passes_the_shipped_plan(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in OWNER_VARIABLES:
        monkeypatch.delenv(name)
    result = page("plan", "validate", str(DEFAULT_PLAN))
    assert result.exit_code == 0, result.output
    assert re.search(r"default\.yaml: OK \(\d+ templates rendered, 10 warnings\)\.", result.stdout)
    assert "OWNER_IC_EMAIL is not set in this environment" in result.stderr + result.stdout
    for role in ("IC", "COMMS_LEAD", "SUPPORT_LEAD", "ENG_MANAGER"):
        monkeypatch.setenv(f"OWNER_{role}_EMAIL", f"{role.lower()}@example.com")
        monkeypatch.setenv(f"OWNER_{role}_SMS", "+14155550100")
    for role in ("ACCOUNT_MANAGERS", "FINANCE"):
        monkeypatch.setenv(f"OWNER_{role}_EMAIL", f"{role.lower()}@example.com")
    result = page("plan", "validate", str(DEFAULT_PLAN))
    assert re.search(r"default\.yaml: OK \(\d+ templates rendered\)\.", result.stdout)


def test_plan_validate_reports_every_error_as_file_line_column_and_exits_2(page: RunCli) -> None:
    path = BROKEN / "unknown_key.yaml"
    result = page("plan", "validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:15:5: error: unknown key 'cadense' in severity SEV1; hint: did you mean " in (
        result.stderr
    )
    assert f"{path}:14:5: error: severity SEV1 has no 'cadence'" in result.stderr
    assert result.stdout.strip() == f"{path}: 2 errors, 0 warnings."


def test_plan_show_prints_routing_owners_and_cadence(page: RunCli) -> None:
    result = page("plan", "show", "sev1")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "SEV1: Critical, impact critical" in out and "SEV2:" not in out
    assert "Cadence: investigating 30m, identified 30m, monitoring 1h; escalate after 15m" in out
    assert "Approves customer messages: Incident commander" in out
    header = next(line for line in out.splitlines() if "PHASE" in line)
    assert header.split() == [
        "PHASE",
        "SEGMENT",
        "EMAIL",
        "SMS",
        "WEBHOOK",
        "SLACK",
        "SOCIAL",
        "PAGE",
    ]
    assert "incident_commander   Incident commander" in out
    refused = page("plan", "show", "SEV9")
    assert refused.exit_code == 2 and "unknown severity 'SEV9'" in refused.stderr
    assert "defines SEV1, SEV2, SEV3, SEV4 (or show `maintenance`)" in refused.stderr


def test_preview_of_a_sev1_incident_shows_every_message_count_and_approval(
    page: RunCli, db_path: Path
) -> None:
    seed(db_path, "sms", 3, tags=("enterprise",))
    seed(db_path, "sms", 2)
    seed(db_path, "email", 4)
    incident_id = declare(page)
    shown = json.loads(page("incident", "show", incident_id, "--json").stdout)
    created = datetime.fromisoformat(shown["created_at"])
    due = (created + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Berlin"))
    due_text = f"{due:%H:%M} {due.tzname()}"
    before = dump(db_path)

    result = page("comms", "preview", incident_id)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert dump(db_path) == before
    assert out.splitlines()[:4] == [
        f'Preview: SEV1 incident {incident_id} "Elevated API errors", phase declared',
        "A preview stores and sends nothing.",
        "Approval missing: customer messages wait for the Incident commander "
        f"(statuspage comms approve {incident_id})",
        f"Next update promised by {due_text}.",
    ]
    sms = (
        f"Acme Status: investigating Elevated API errors. Next update by {due_text}. "
        f"https://status.acme.test/incidents/{incident_id} Reply STOP to stop."
    )
    enterprise = out.split("── enterprise · sms · en · 3 recipients · held for approval")[1]
    assert enterprise.splitlines()[1] == sms
    assert enterprise.splitlines()[2] == (
        f"SMS: GSM-7 (160, 153 when split), {len(sms)} characters, {len(sms)} units, "
        "1 segment: cost x1 per recipient"
    )
    assert "── affected · sms · en · 2 recipients · held for approval" in out
    assert "── affected · email · en · 4 recipients · held for approval" in out
    assert "Subject: [Acme Status] Investigating: Elevated API errors" in out
    assert "── responders · sms · en · 3 recipients ─" in out  # owners are never held
    assert re.search(r"mastodon: \d+ of 500 characters \(as the network counts them\)", out)
    assert "── public · page · shown on the status page" in out
    assert "Total: 20 messages (9 email, 1 slack, 9 sms, 1 social)" in out
    assert "SMS: 9 segments, about 9 s at the configured sender throughput" in out


def test_sending_10000_sms_at_3_per_second_takes_about_56_minutes_and_warns(
    page: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db_path, "sms", 10_000)
    monkeypatch.setenv("STATUSPAGE_SMS_RATE", "3")
    incident_id = declare(page)
    result = page("comms", "preview", incident_id)
    assert "── affected · sms · en · 10,000 recipients" in result.stdout
    assert "SMS: 10,004 segments, about 56 min at the configured sender throughput" in (
        result.stdout
    )
    assert "warning: sending the SMS takes about 56 min at 3 msg/s" in result.stdout
    assert "warning: the SMS send outlasts the update cadence" in result.stdout


@pytest.mark.parametrize("command", ["declare", "update", "resolve"])
def test_dry_run_shows_the_messages_and_changes_nothing(
    page: RunCli, db_path: Path, command: str
) -> None:
    seed(db_path, "email", 2)
    incident_id = declare(page)
    before = dump(db_path)
    args = {
        "declare": ("incident", "declare", "Login fails", "--severity", "SEV2", "-m", "Looking."),
        "update": ("incident", "update", incident_id, "--status", "identified", "-m", "Found."),
        "resolve": ("incident", "resolve", incident_id, "-m", "Fixed for everyone."),
    }[command]
    result = page(*args, "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith("Dry run: SEV") and "Nothing was stored or sent." in result.stdout
    )
    assert "── affected · email · en · 2 recipients" in result.stdout
    assert dump(db_path) == before


def test_approval_releases_held_messages_and_is_recorded(page: RunCli, db_path: Path) -> None:
    seed(db_path, "email", 2)
    incident_id = declare(page)
    shown = page("incident", "show", incident_id).stdout
    assert (
        "Approval:   declared messages wait for the Incident commander: "
        f"statuspage comms approve {incident_id}"
    ) in shown
    result = page("comms", "approve", incident_id, "--as", "Dana Smith")
    assert result.exit_code == 0, result.output
    assert "(declared, SEV1): 3 messages released." in result.stdout
    assert "Recorded: approved by Dana Smith at " in result.stdout
    conn = sqlite3.connect(db_path)
    ((by, at),) = conn.execute(
        "SELECT approved_by, approved_at FROM comms_events WHERE phase = 'declared'"
    )
    conn.close()
    assert by == "Dana Smith" and at
    audit = json.loads(page("audit", "--incident", incident_id, "--json").stdout)
    approvals = [
        change
        for entry in audit
        for change in entry["changes"]
        if change["table"] == "comms_events" and change["op"] == "update"
    ]
    assert [c["after"]["approved_by"] for c in approvals] == ["Dana Smith"]
    assert "Approval:" not in page("incident", "show", incident_id).stdout
    again = page("comms", "approve", incident_id)
    assert again.exit_code == 2 and f"nothing of incident {incident_id} awaits approval" in (
        again.stderr
    )


def test_messages_waiting_for_one_approver_are_named_on_one_line(
    page: RunCli, db_path: Path
) -> None:
    seed(db_path, "email", 2)
    incident_id = declare(page)
    updated = page("incident", "update", incident_id, "--status", "identified",
                   "-m", "We found the cause and are fixing it.")  # fmt: skip
    assert updated.exit_code == 0, updated.output
    shown = page("incident", "show", incident_id).stdout
    assert shown.count("Approval:") == 1
    assert (
        "Approval:   declared and updated messages wait for the Incident commander: "
        f"statuspage comms approve {incident_id}"
    ) in shown
    assert "(just now)" in shown  # not "(0s ago)"


def test_tone_warnings_follow_the_change_but_do_not_block_it(page: RunCli) -> None:
    result = page(
        "incident", "declare", "API", "--severity", "SEV3", "-m", "The API is DOWN!! lol",
    )  # fmt: skip
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: tone:")]
    assert len(warnings) == 3 and "shouting: 'DOWN'" in result.stderr


def overdue_incidents(db_path: Path) -> tuple[str, str]:
    """Two SEV1 incidents declared 2 h and 1 h ago: both overdue, the older the more."""

    async def run() -> tuple[str, str]:
        store = await Store.open(db_path)
        clock = FakeClock(datetime.now(UTC) - timedelta(hours=2))
        svc = Service(store, clock, comms=Comms(load_plan(DEFAULT_PLAN)))
        older = await svc.declare_incident("Older", message="m", severity="SEV1")
        clock.advance(hours=1)
        newer = await svc.declare_incident("Newer", message="m", severity="SEV1")
        await store.close()
        return older.id, newer.id

    return asyncio.run(run())


def test_incident_list_shows_overdue_incidents_first(page: RunCli, db_path: Path) -> None:
    older, newer = overdue_incidents(db_path)
    page("incident", "declare", "Fresh", "--severity", "SEV2", "-m", "m")
    lines = page("incident", "list", "--open").stdout.splitlines()
    assert lines[0].split() == ["ID", "SEV", "STATUS", "IMPACT", "START", "NEXT", "UPDATE", "TITLE"]
    assert lines[1].startswith(older) and "overdue 1h 30m" in lines[1]
    assert lines[2].startswith(newer) and "overdue 30 min" in lines[2]
    assert "Fresh" in lines[3] and "in 29 min" in lines[3]


def test_tick_reminds_the_owner_once(page: RunCli, db_path: Path) -> None:
    older, newer = overdue_incidents(db_path)
    first = page("tick").stdout.splitlines()
    assert sorted(first) == sorted(
        [
            f"{older}  escalated to Communications lead and Support lead (email, sms): "
            "update 90 min overdue",
            f"{newer}  escalated to Communications lead and Support lead (email, sms): "
            "update 30 min overdue",
        ]
    )
    assert page("tick").stdout.strip() == "Nothing due."


def test_serve_refuses_a_broken_plan_with_its_errors(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(BROKEN / "unknown_role.yaml"))
    result = page("serve", "--port", "1")
    assert result.exit_code == 2
    assert "unknown_role.yaml:16:38: error: unknown role 'comander'" in result.stderr
    assert "does not validate; not serving" in result.stderr


def test_the_app_does_not_start_with_a_broken_plan(page: RunCli, db_path: Path) -> None:
    settings = Settings(db=db_path, comms_plan=str(BROKEN / "missing_impact.yaml"))
    with (
        pytest.raises(PlanError, match=r"missing_impact\.yaml:14:5"),
        TestClient(create_app(settings)),
    ):
        pass


def test_without_a_plan_nothing_is_planned(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", "off")
    assert run_cli("incident", "declare", "A", "--impact", "minor", "-m", "m").exit_code == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    conn.close()
    refused = run_cli("comms", "preview", "abc")
    assert refused.exit_code == 2 and "no comms plan is configured" in refused.stderr
    # It is off on purpose, not missing: the line says so, and how to have one again.
    for args in (("comms", "preview", "abc"), ("plan", "validate")):
        refused = run_cli(*args)
        assert refused.exit_code == 2, args
        assert "no comms plan is configured: STATUSPAGE_COMMS_PLAN=off turns" in refused.stderr
        assert "unset it for the shipped plan, or set it to your plan's path" in refused.stderr


def test_a_broken_plan_refuses_changes_that_would_send_and_says_how_to_proceed(
    page: RunCli, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(BROKEN / "unknown_role.yaml"))
    before = dump(db_path)
    result = page("incident", "declare", "A", "--severity", "SEV1", "-m", "m")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "unknown_role.yaml:16:38: error: unknown role 'comander'" in result.stderr
    assert "set STATUSPAGE_COMMS_PLAN=off" in result.stderr
    assert dump(db_path) == before
    assert page("incident", "list").exit_code == 0  # reading still works


def test_preview_and_dry_run_name_unset_contacts_and_unconfigured_channels(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in OWNER_VARIABLES:
        monkeypatch.delenv(name)
    monkeypatch.delenv("STATUSPAGE_TWILIO_ACCOUNT_SID")
    incident_id = declare(page)
    preview = page("comms", "preview", incident_id).stdout
    dry_run = page("incident", "update", incident_id, "-m", "Found it.", "--dry-run").stdout
    assert (
        "skipped: not configured: responders · sms: role incident_commander has no sms "
        "contact (set OWNER_IC_SMS)" in preview
    )
    for out in (preview, dry_run):
        assert "role comms_lead has no email contact (set OWNER_COMMS_LEAD_EMAIL)" in out
        assert "── responders · sms" not in out  # nobody to send it to: not a recipient
        assert (
            "skipped: not configured: sms (set STATUSPAGE_TWILIO_ACCOUNT_SID and "
            "STATUSPAGE_TWILIO_AUTH_TOKEN)" in out
        )
        (total,) = [line for line in out.splitlines() if line.startswith("Total:")]
        assert total == "Total: 2 messages (1 slack, 1 social)"  # no owner without a contact


def test_preview_counts_the_one_message_an_unconfigured_channel_keeps_in_the_singular(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATUSPAGE_MASTODON_URL")
    incident_id = declare(page)
    preview = page("comms", "preview", incident_id).stdout
    assert (
        "skipped: not configured: social (set STATUSPAGE_MASTODON_URL and"
        " STATUSPAGE_MASTODON_TOKEN): its 1 message waits, queued, until it is"
    ) in preview
    assert "1 messages" not in preview


def test_plan_validate_names_the_channels_not_configured_here(
    page: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATUSPAGE_TWILIO_ACCOUNT_SID")
    result = page("plan", "validate", str(DEFAULT_PLAN))
    assert result.exit_code == 0, result.output
    assert (
        "skipped: not configured here: sms (set STATUSPAGE_TWILIO_ACCOUNT_SID and "
        "STATUSPAGE_TWILIO_AUTH_TOKEN); its messages wait, queued" in result.stdout
    )
    assert "not configured here: email" not in result.stdout
