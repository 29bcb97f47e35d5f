"""`statuspage automation ...`, `token create --scope alerts` and `component set NAME auto`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from statuspage.automation.read import load_rules
from statuspage.automation.rules import RuleSet
from statuspage.automation.signals import Signal
from statuspage.resources import EXAMPLE_RULES
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.storage import Store
from tests.conftest import FakeClock, RunCli

BROKEN = """\
version: 1
rules:
  - name: api
    match: {service: api}
    components: [API]
    status: {critical: down}
    holddown: 5m
  - name: api
    match_re: {alertname: "Api(("}
  - name: everything
    for: soon
"""


def test_the_shipped_example_validates_and_is_printed_as_is(run_cli: RunCli) -> None:
    result = run_cli("automation", "validate", str(EXAMPLE_RULES))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("OK (2 rules, 4 warnings).")  # an empty page
    printed = run_cli("automation", "example")
    assert printed.exit_code == 0 and printed.output == EXAMPLE_RULES.read_text(encoding="utf-8")


def test_a_broken_rules_file_is_refused_with_every_error_at_its_line(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(BROKEN)
    result = run_cli("automation", "validate", str(path))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    assert lines == [
        f"{path}:6:24: error: rule 'api': 'down' is not a status an alert can set; hint: "
        "accepted: degraded_performance, major_outage, partial_outage",
        f"{path}:7:5: error: unknown key 'holddown' in a rule; hint: did you mean 'hold_down'?",
        f"{path}:8:5: error: rule name 'api' is taken (first at line 3)",
        f"{path}:9:27: error: bad regular expression for alertname: missing ), unterminated "
        "subpattern at position 4",
        f"{path}:10:5: error: rule 'everything' matches every alert; hint: add match: or match_re:",
        f"{path}:11:10: error: bad duration for rule 'everything' for; hint: write durations like "
        "30m, 1h, 1h30m or 2d",
    ]
    assert result.output.strip().endswith("6 errors.")


def test_validate_without_a_path_checks_the_configured_file(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "no rules file is configured" in run_cli("automation", "validate").output
    monkeypatch.setenv("STATUSPAGE_AUTOMATION", str(EXAMPLE_RULES))
    assert run_cli("automation", "validate").exit_code == 0


def test_show_lists_the_rules_in_order_and_the_statuses_held_by_hand(run_cli: RunCli) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    assert run_cli("component", "set", "API", "major_outage").exit_code == 0
    shown = run_cli("automation", "show", "--rules", str(EXAMPLE_RULES))
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert text.index("api-errors:") < text.index("database-down:") < text.index("default:")
    assert "service=api alertname=~Api(Errors|Latency)High => API" in text
    assert "declares from template 'database-outage' at SEV2, left open for people" in text
    assert "Held by hand: 1\n  API  major_outage" in text
    as_json = json.loads(run_cli("automation", "show", "--json").output)
    assert [r["name"] for r in as_json["rules"]] == ["default"]
    assert as_json["held_by_hand"][0]["component"] == "API"
    assert run_cli("component", "set", "API", "auto").output.strip() == "API is now ✔ Operational."
    assert json.loads(run_cli("automation", "show", "--json").output)["held_by_hand"] == []


def test_show_lists_the_recent_automatic_changes_with_their_causes(
    run_cli: RunCli, db_path: Path
) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    asyncio.run(fire(db_path))
    shown = run_cli("automation", "show")
    assert "Alerts followed: 1\n  API  firing  major_outage  generic ApiDown  rule default" in (
        shown.output
    )
    assert "API  operational -> major_outage  rule default, generic ApiDown (fp1)" in shown.output
    (change,) = json.loads(run_cli("automation", "show", "--json").output)["recent_changes"]
    assert (change["component"], change["to"], change["fingerprint"]) == (
        "API", "major_outage", "fp1"
    )  # fmt: skip


async def fire(db: Path, rules: RuleSet | None = None) -> None:
    store = await Store.open(db)
    try:
        svc = Service(store, FakeClock())
        signal = Signal("generic", "fp1", {"alertname": "ApiDown", "statuspage_component": "API"},
                        firing=True, severity="critical")  # fmt: skip
        await Automation(svc.ctx, svc.incidents, rules or RuleSet()).receive([signal])
    finally:
        await store.close()


def test_tick_says_when_nothing_is_due(run_cli: RunCli) -> None:
    result = run_cli("automation", "tick")
    assert result.exit_code == 0 and result.output.strip() == "Nothing due."


def test_a_key_of_scope_alerts_can_be_made(run_cli: RunCli) -> None:
    made = json.loads(
        run_cli("token", "create", "alertmanager", "--scope", "alerts", "--json").output
    )
    assert made["scope"] == "alerts" and made["key"].startswith("sp_")


def test_token_create_names_the_header_the_hooks_and_metrics_take(run_cli: RunCli) -> None:
    alerts = run_cli("token", "create", "alertmanager", "--scope", "alerts").output
    assert "Send it to /hooks/alerts/... as" in alerts and "STATUSPAGE_TOKEN" not in alerts
    assert alerts.rstrip().endswith("Authorization: Bearer <key>")  # the hooks refuse OAuth
    read = run_cli("token", "create", "prometheus", "--scope", "read").output
    assert "STATUSPAGE_TOKEN" in read and read.rstrip().endswith("Authorization: Bearer <key>")


def test_tick_lets_due_alerts_apply_for_cron(
    run_cli: RunCli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\ndefault_rule: {for: 1m}\n")
    asyncio.run(fire(db_path, load_rules(rules)))  # at START, long before now: due
    assert run_cli("component", "list", "--json").output.count("major_outage") == 0
    monkeypatch.setenv("STATUSPAGE_AUTOMATION", str(rules))
    ticked = run_cli("tick")
    assert ticked.exit_code == 0, ticked.output
    assert "API: operational -> major_outage (rule default, alert ApiDown (fp1))" in ticked.output
    assert run_cli("automation", "tick").output.strip() == "Nothing due."


def test_validate_warns_of_components_templates_and_severities_the_page_lacks(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nrules:\n  - name: db\n    match: {alertname: PostgresDown}\n"
        "    components: [api, Billing]\n    declare: {template: db-outage, severity: SEV9}\n"
    )
    result = run_cli("automation", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert (
        f"{path}:3:5: warning: rule 'db' names component 'Billing', which this page does not have"
        in result.output
    )
    assert "names component 'api'" not in result.output  # names ignore case
    assert "declares from template 'db-outage', which this page does not have" in result.output
    assert (
        "declares at severity 'SEV9', which the comms plan does not have (SEV1, SEV2, SEV3, SEV4)"
        in result.output
    )
    assert result.output.strip().endswith("OK (1 rule, 3 warnings).")
