"""The siblings of issue 16's stumbles: a mistyped name (component, group, template, time
zone) is refused with the closest one; a command given the wrong kind of incident, or an
incident id that matches nothing, says what to run instead; the audit speaks the page's zone.
Through click's runner on a real database."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from tests.conftest import RunCli


@pytest.fixture
def page(run_cli: RunCli) -> RunCli:
    assert run_cli("group", "add", "Payments").exit_code == 0
    for name in ("Primary Database", "Card Processing"):
        assert run_cli("component", "add", name, "--group", "Payments").exit_code == 0
    return run_cli


def refused(run: RunCli, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    return result.stderr.removeprefix("error: ").strip()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("component", "set", "Primary Databse", "degraded"), "'Primary Database'"),
        (("component", "show", "card processin"), "'Card Processing'"),
        (("component", "translate", "primary databse", "ru", "--name", "БД"), "'Primary Database'"),
        (("incident", "declare", "DB", "-m", "x", "--impact", "minor",
          "--component", "Primary Databse"), "'Primary Database'"),
        (("maintenance", "schedule", "DB", "--start", "in 1h", "--end", "in 2h",
          "--component", "Primary Databse"), "'Primary Database'"),
        (("subscribers", "add", "email", "a@example.com", "--component", "Card Procesing"),
         "'Card Processing'"),
    ],
)  # fmt: skip
def test_a_mistyped_component_is_refused_with_the_closest_name(
    page: RunCli, args: tuple[str, ...], said: str
) -> None:
    error = refused(page, *args)
    assert f"; did you mean {said}? known components: Primary Database, Card Processing" in error
    assert json.loads(page("incident", "list", "--json").output) == []


def test_a_name_close_to_nothing_lists_the_names_without_a_guess(page: RunCli) -> None:
    error = refused(page, "component", "set", "Nope", "operational")
    assert error == "unknown component 'Nope'; known components: Primary Database, Card Processing"


def test_a_mistyped_group_is_refused_with_the_closest_name(page: RunCli) -> None:
    for args in (
        ("component", "add", "Payouts", "--group", "paymnts"),
        ("group", "translate", "Paymnts", "ru", "--name", "Платежи"),
        ("group", "remove", "Payment"),
    ):
        error = refused(page, *args)
        assert error.endswith("; did you mean 'Payments'? known groups: Payments"), error
    assert "Payouts" not in page("component", "list").output


def test_a_mistyped_template_is_refused_with_the_closest_name(page: RunCli) -> None:
    added = page("template", "add", "db-down", "--title", "Database down", "-m", "Looking.")
    assert added.exit_code == 0, added.stderr
    error = refused(page, "incident", "declare", "--template", "db-donw")
    assert (
        error
        == "unknown incident template 'db-donw'; did you mean 'db-down'? known templates: db-down"
    )
    assert (
        refused(page, "template", "show", "x")
        == "unknown incident template 'x'; known templates: db-down"
    )


def test_a_mistyped_time_zone_is_refused_with_the_zone_it_most_likely_means(page: RunCli) -> None:
    error = refused(page, "page", "set", "--time-zone", "europe/berln")
    assert error.startswith("unknown time zone 'europe/berln'; did you mean 'Europe/Berlin'? ")
    error = refused(page, "page", "set", "--time-zone", "Mars/Olympus")
    assert "did you mean" not in error and "use an IANA name" in error
    assert "Time zone: Europe/Berlin" in page("page", "show").output


def test_an_incident_given_to_a_maintenance_command_says_which_command_to_use(
    page: RunCli,
) -> None:
    declared = page(
        "incident",
        "declare",
        "DB",
        "-m",
        "Looking.",
        "--impact",
        "minor",
        "--component",
        "Primary Database",
        "--json",
    )
    incident = json.loads(declared.output)["id"]
    error = refused(page, "maintenance", "start", incident)
    assert error == (
        f"{incident} is an incident, not a maintenance; use `statuspage incident update|resolve"
        " ...` for it"
    )


def test_an_unknown_incident_in_comms_says_where_the_ids_are(page: RunCli) -> None:
    for args in (("comms", "retry", "nope"), ("comms", "preview", "nope")):
        assert refused(page, *args) == "unknown incident 'nope'; see `statuspage incident list`"


def test_the_audit_shows_changed_times_in_the_page_zone_and_reads_since_as_past(
    page: RunCli,
) -> None:
    declared = page("incident", "declare", "DB", "-m", "Looking.", "--impact", "minor", "--json")
    incident = json.loads(declared.output)["id"]
    assert page("incident", "resolve", incident).exit_code == 0
    resolved = page("audit", "--limit", "1").output
    # The entry's head is in the page's zone; so is the time the change set, not raw UTC.
    assert re.search(r"resolved_at: null → \d{4}-\d\d-\d\d \d\d:\d\d CES?T", resolved), resolved
    assert not re.search(r"\d\d:\d\d:\d\d", resolved)
    # A weekday means the last one, as for report --since: not next week (which shows nothing).
    yesterday = (datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(days=1)).strftime("%a")
    since = page("audit", "--since", f"{yesterday} 00:00", "--limit", "1")
    assert since.exit_code == 0 and "resolved_at" in since.output, since.output
    future = refused(page, "audit", "--since", "tomorrow 9am")
    assert future.startswith("--since 'tomorrow 9am' is in the future")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("subscribers", "add", "emial", "a@example.com"),
         "invalid channel 'emial'; did you mean 'email'? accepted values: email, sms, webhook,"
         " slack"),
        (("subscribers", "list", "--state", "activ", "--channel", "EMAIL"), None),
        (("subscribers", "count", "--state", "Pending"), None),
        (("token", "create", "bot", "--scope", "a"),
         "scope 'a' is ambiguous: it could be admin or alerts"),
        (("comms", "retry", "--channel", "smss"),
         "invalid channel 'smss'; did you mean 'sms'? accepted values: email, sms, webhook, slack,"
         " social"),
    ],
)  # fmt: skip
def test_option_words_are_read_as_forgivingly_as_status_words(
    page: RunCli, args: tuple[str, ...], said: str | None
) -> None:
    if said is None:
        result = page(*args)
        assert result.exit_code == 0, result.stderr
    else:
        assert refused(page, *args) == said
    assert page("subscribers", "list").output.strip() == "No subscribers."


def test_lists_without_a_plan_say_when_in_the_start_column_as_show_does(page: RunCli) -> None:
    scheduled = page(
        "maintenance", "schedule", "Upgrade", "--start", "in 3h", "--end", "in 4h",
        "--component", "Primary Database",
    )  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.stderr
    header, row = page("maintenance", "list").output.splitlines()
    # Every column has its heading: no unnamed column of relative times.
    assert header.split() == ["ID", "STATUS", "IMPACT", "START", "TITLE"]
    assert re.search(r"  \d{4}-\d\d-\d\d \d\d:\d\d CES?T \(in 2h 5\dm\)  +Upgrade$", row), row


def test_a_file_that_cannot_be_read_says_why_once(page: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "pm.md"
    declared = page("incident", "declare", "DB", "-m", "Looking.", "--impact", "minor", "--json")
    incident = json.loads(declared.output)["id"]
    assert page("incident", "resolve", incident).exit_code == 0
    error = refused(page, "incident", "postmortem", incident, "--file", str(missing))
    assert error == f"cannot read {missing}: No such file or directory"
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes("Café".encode("latin-1"))
    error = refused(page, "incident", "postmortem", incident, "--file", str(latin1))
    assert error == f"cannot read {latin1}: not UTF-8 text (byte 4)"
    error = refused(page, "incident", "update", incident, "-m", "x", "--translations", str(missing))
    assert error == f"cannot read {missing}: No such file or directory"


def test_an_accent_that_is_not_a_colour_names_the_value(page: RunCli) -> None:
    before = page("page", "show", "--json").output
    error = refused(page, "page", "set", "--accent", "red", "--name", "Renamed")
    assert error == "the accent 'red' is not a colour: write #rgb or #rrggbb, e.g. #0b5fff"
    assert page("page", "show", "--json").output == before


def test_a_mistyped_command_or_top_level_option_is_one_line_naming_the_closest(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    db = str(tmp_path / "none.db")
    for args, line in (
        (["--db", db, "incidnet", "list"],
         "error: No such command 'incidnet'. Did you mean 'incident'? (see: statuspage --help)"),
        (["--db", db, "incident", "lst"],
         "error: No such command 'lst'. Did you mean 'list'? (see: statuspage incident --help)"),
        (["--dbb", db, "incident", "list"],
         "error: No such option '--dbb'. Did you mean '--db'? (see: statuspage --help)"),
    ):  # fmt: skip
        result = runner.invoke(cli, args, prog_name="statuspage")
        assert (result.exit_code, result.stderr, result.stdout) == (2, line + "\n", ""), args
    # A group alone shows its help as click does: not as an error line holding the help.
    alone = runner.invoke(cli, ["--db", db, "incident"], prog_name="statuspage")
    assert alone.exit_code == 2 and alone.stderr.startswith("Usage: statuspage incident ")
    assert "error:" not in alone.stderr and "  declare " in alone.stderr


@pytest.mark.parametrize("command", ["report", "audit"])
def test_every_time_a_since_help_shows_is_read(page: RunCli, command: str) -> None:
    group = cli.get_command(click.Context(cli), command)
    assert group is not None
    (since,) = [p for p in group.params if p.name == "since"]
    assert isinstance(since, click.Option) and since.help
    examples = since.help.split(":", 1)[1].strip().rstrip(".").split(", ")
    assert len(examples) >= 4, since.help
    for example in examples:
        example = "2026-03-01T09:00:00Z" if example in ("ISO", "ISO-8601") else example
        result = page(command, "--since", example)
        assert result.exit_code == 0, (example, result.stderr)


def test_a_rules_or_plan_file_that_cannot_be_read_says_why_once(
    page: RunCli, tmp_path: Path
) -> None:
    missing, latin1 = tmp_path / "rules.yaml", tmp_path / "latin1.yaml"
    latin1.write_bytes("name: Café\n".encode("latin-1"))
    for args, why in (
        (("automation", "validate", str(missing)), "No such file or directory"),
        (("plan", "validate", str(latin1)), "not UTF-8 text"),
    ):
        result = page(*args)
        said = result.stdout + result.stderr
        assert result.exit_code == 2, said
        assert f"{args[-1]}:1:1: error: cannot read the file: {why}\n" in said
        assert "Errno" not in said and "the plan" not in said
