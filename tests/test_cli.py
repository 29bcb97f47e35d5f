"""The on-call CLI: each command, its output, and bad input changing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from tests.conftest import RunCli, dump


@pytest.fixture
def page(run_cli: RunCli) -> RunCli:
    assert run_cli("group", "add", "Core").exit_code == 0
    assert (
        run_cli("component", "add", "API", "--group", "Core", "--description", "REST API").exit_code
        == 0
    )
    assert run_cli("component", "add", "Web").exit_code == 0
    return run_cli


def declare(run: RunCli, *extra: str) -> str:
    result = run(
        "incident",
        "declare",
        "API errors",
        "--impact",
        "major",
        "--component",
        "API",
        "--message",
        "Investigating.",
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return str(json.loads(result.output)["id"])


def all_commands() -> list[tuple[str, ...]]:
    ctx = click.Context(cli)

    def walk(command: click.Command, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        if isinstance(command, click.Group):
            subs = ((n, command.get_command(ctx, n)) for n in command.list_commands(ctx))
            return [p for name, sub in subs if sub for p in walk(sub, (*path, name))]
        return [path]

    return walk(cli, ())


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"statuspage {' '.join(path)} --help has no example"


def test_init_twice_is_harmless(run_cli: RunCli, db_path: Path) -> None:
    first = run_cli("init", init=False)
    assert first.exit_code == 0 and "Created" in first.output and "0001_core" in first.output
    before = dump(db_path)
    second = run_cli("init")
    assert second.exit_code == 0 and "up to date" in second.output
    assert dump(db_path) == before


def test_commands_without_a_database_say_how_to_create_it(run_cli: RunCli, db_path: Path) -> None:
    result = run_cli("component", "list", init=False)
    assert result.exit_code == 2
    assert "no database at" in result.stderr and "statuspage init" in result.stderr
    assert not db_path.exists()


def test_the_db_option_can_come_from_the_environment(tmp_path: Path) -> None:
    env = {"STATUSPAGE_DB": str(tmp_path / "env.db")}
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    assert runner.invoke(cli, ["component", "add", "API"], env=env).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_component_commands(page: RunCli) -> None:
    listing = page("component", "list")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["GROUP", "COMPONENT", "STATUS", "ID"]
    assert lines[1].startswith("Core") and "API" in lines[1] and "Operational" in lines[1]
    changed = page("component", "set", "api", "major_outage")
    assert changed.exit_code == 0 and "API is now ✖ Major Outage." in changed.output
    body = json.loads(page("component", "list", "--json").output)
    assert [(c["name"], c["group"], c["status"]) for c in body] == [
        ("Core", True, "major_outage"),
        ("API", False, "major_outage"),
        ("Web", False, "operational"),
    ]
    assert body[1]["description"] == "REST API" and body[0]["components"] == [body[1]["id"]]
    removed = page("component", "remove", "Web")
    assert removed.exit_code == 0 and "Removed component Web" in removed.output


def test_group_commands(page: RunCli) -> None:
    listing = page("group", "list")
    assert "Core" in listing.output and "1" in listing.output.splitlines()[1]
    assert json.loads(page("group", "list", "--json").output)[0]["name"] == "Core"
    refused = page("group", "remove", "Core")
    assert refused.exit_code == 2 and "still holds API" in refused.stderr
    assert page("group", "remove", "Core", "--ungroup").exit_code == 0
    assert "No groups yet" in page("group", "list").output


def test_incident_lifecycle(page: RunCli, tmp_path: Path) -> None:
    incident_id = declare(page)
    shown = page("incident", "show", incident_id)
    assert "API (Partial Outage)" in shown.output and "Investigating" in shown.output
    assert "CET" in shown.output  # page time zone Europe/Berlin
    updated = page(
        "incident",
        "update",
        incident_id,
        "--status",
        "identified",
        "--message",
        "Found it.",
        "--component",
        "API=degraded_performance",
    )
    assert updated.exit_code == 0, updated.stderr
    assert "API: Partial Outage → Degraded Performance" in updated.output
    again = page("incident", "update", incident_id, "-m", "Still working on it.", "--json")
    assert json.loads(again.output)["incident_updates"][0]["status"] == "identified"
    listing = page("incident", "list", "--open")
    assert incident_id in listing.output and "Identified" in listing.output
    resolved = page("incident", "resolve", incident_id, "--json")
    body = json.loads(resolved.output)
    assert body["status"] == "resolved"
    assert [u["status"] for u in body["incident_updates"]] == [
        "resolved",
        "identified",
        "identified",
        "investigating",
    ]
    assert "No incidents." in page("incident", "list", "--open").output
    assert json.loads(page("component", "list", "--json").output)[1]["status"] == "operational"
    postmortem = tmp_path / "pm.md"
    postmortem.write_text("## Root cause\n\nA bad deploy.")
    published = page("incident", "postmortem", incident_id, "--file", str(postmortem), "--publish")
    assert published.exit_code == 0 and "Postmortem (published)" in published.output


def test_postmortem_from_standard_input(page: RunCli) -> None:
    incident_id = declare(page)
    page("incident", "resolve", incident_id)
    result = page(
        "incident", "postmortem", incident_id, "--file", "-", "--json", input="From stdin."
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["status"] == "resolved"


def test_backfill_takes_naive_times_in_the_page_zone(page: RunCli) -> None:
    result = page(
        "incident",
        "backfill",
        "Old outage",
        "--impact",
        "critical",
        "--component",
        "API",
        "--started",
        "2026-01-05 10:00",
        "--resolved",
        "2026-01-05T11:30:00+01:00",
        "--message",
        "It broke.",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.output)
    assert (body["started_at"], body["resolved_at"]) == (
        "2026-01-05T09:00:00.000Z",
        "2026-01-05T10:30:00.000Z",
    )
    assert body["status"] == "resolved"


def test_maintenance_lifecycle(page: RunCli) -> None:
    result = page(
        "maintenance",
        "schedule",
        "DB upgrade",
        "--start",
        "+1h",
        "--end",
        "+3h",
        "--component",
        "API",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    mid = json.loads(result.output)["id"]
    assert "Scheduled" in page("maintenance", "list").output
    refused = page("maintenance", "complete", mid)
    assert refused.exit_code == 2 and "cannot complete before it starts" in refused.stderr
    started = page("maintenance", "start", mid)
    assert started.exit_code == 0 and "API (Under Maintenance)" in started.output
    refused = page("maintenance", "cancel", mid)
    assert refused.exit_code == 2 and "complete it instead" in refused.stderr
    done = page("maintenance", "complete", mid, "-m", "All done.", "--json")
    assert json.loads(done.output)["status"] == "completed"
    listed = page("maintenance", "list").output  # started early: it began now, not in an hour
    assert "Completed" in listed and "in 5" not in listed
    assert " ago)  " in listed or "(just now)  " in listed  # its start, as it ran
    assert "Nothing due." in page("tick").output


def test_tick_performs_due_transitions(page: RunCli) -> None:
    result = page(
        "maintenance",
        "schedule",
        "Now",
        "--start",
        "-1m",
        "--end",
        "+1h",
        "--component",
        "API",
        "--json",
    )
    mid = json.loads(result.output)["id"]
    ticked = page("tick")
    assert ticked.exit_code == 0 and f"{mid}  in_progress  Now" in ticked.output
    assert page("tick").output.strip() == "Nothing due."


def test_page_show_and_set(page: RunCli) -> None:
    assert page("page", "set", "--name", "Acme Status").exit_code == 0
    body = json.loads(page("page", "show", "--json").output)
    assert body["name"] == "Acme Status" and body["time_zone"] == "Europe/Berlin"


BAD_INPUTS = [
    (
        ("page", "set", "--url", "status.acme.example"),
        "the page URL must be an absolute http(s) URL",
    ),
    (("component", "set", "Nope", "operational"), "unknown component 'Nope'; known components"),
    (("component", "set", "API", "broken"), "accepted values: operational, degraded_performance"),
    (("component", "add", ""), "component name must not be empty"),
    (("component", "add", "x" * 256), "256 characters long; the limit is 255"),
    (
        ("incident", "declare", "T", "--impact", "major", "--component", "Nope", "-m", "m"),
        "unknown component 'Nope'",
    ),
    (
        ("incident", "declare", "T", "--impact", "huge", "-m", "m"),
        "invalid impact 'huge'; accepted values: none, minor, major, critical",
    ),
    (("incident", "declare", "T", "-m", "m"), "give an impact"),
    (("incident", "declare", "", "--impact", "minor", "-m", "m"), "name must not be empty"),
    (("incident", "declare", "x" * 256, "--impact", "minor", "-m", "m"), "limit is 255"),
    (("incident", "declare", "T", "--impact", "minor", "-m", "y" * 10_001), "limit is 10000"),
    (
        ("incident", "declare", "T", "--impact", "minor", "-m", "m", "--component", "API=down"),
        "accepted values",
    ),
    (("incident", "update", "nope12345678", "-m", "m"), "unknown incident 'nope12345678'"),
    (("incident", "show", "nope12345678"), "unknown incident"),
    (
        (
            "incident",
            "backfill",
            "T",
            "--impact",
            "minor",
            "--started",
            "yesterday-ish",
            "--resolved",
            "2026-01-01",
            "-m",
            "m",
        ),
        "malformed --started 'yesterday-ish'",
    ),
    (
        (
            "incident",
            "backfill",
            "T",
            "--impact",
            "minor",
            "--started",
            "2026-01-02",
            "--resolved",
            "2026-01-01",
            "-m",
            "m",
        ),
        "must be after --started",
    ),
    (
        ("maintenance", "schedule", "T", "--start", "+2h", "--end", "+1h", "--component", "API"),
        "must be after the start",
    ),
    (
        (
            "maintenance",
            "schedule",
            "T",
            "--start",
            "2026-13-01",
            "--end",
            "+1h",
            "--component",
            "API",
        ),
        "malformed --start",
    ),
    (
        ("maintenance", "schedule", "T", "--start", "+1h", "--end", "+2h", "--component", "Nope"),
        "unknown component 'Nope'",
    ),
    (("maintenance", "start", "nope12345678"), "unknown incident"),
    (("page", "set", "--time-zone", "Mars/Base"), "unknown time zone 'Mars/Base'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=lambda v: str(v)[:40])
def test_bad_input_gives_one_line_exit_2_and_changes_nothing(
    page: RunCli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = dump(db_path)
    result = page(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert dump(db_path) == before


def test_refused_transitions_change_nothing(page: RunCli, db_path: Path) -> None:
    incident_id = declare(page)
    page("incident", "resolve", incident_id)
    before = dump(db_path)
    result = page("incident", "update", incident_id, "-m", "again")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: the incident is resolved; a resolved incident takes only a postmortem"
    )
    assert dump(db_path) == before
