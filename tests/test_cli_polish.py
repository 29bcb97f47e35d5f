"""The CLI at 3 a.m.: forgiving status words, incident templates, --dry-run placeholders,
a warning when a resolved incident's component stays held, and a clear missing-database
error. Through click's runner on a real database (remote mode: tests/admin)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from statuspage.errors import InvalidInput
from statuspage.model import ComponentStatus, IncidentStatus, parse_enum
from statuspage.resources import DEFAULT_PLAN
from tests.conftest import RunCli, dump


@pytest.fixture
def page(run_cli: RunCli) -> RunCli:
    for name in ("API", "Web"):
        assert run_cli("component", "add", name).exit_code == 0
    return run_cli


def status_of(run: RunCli, name: str) -> str:
    found = json.loads(run("component", "list", "--json").output)
    return next(str(c["status"]) for c in found if c["name"] == name)


@pytest.mark.parametrize(
    "word", ["partial_outage", "partial outage", "Partial_Outage", "PARTIAL-OUTAGE", "partial"]
)
def test_component_status_words_are_forgiving(page: RunCli, word: str) -> None:
    result = page("component", "set", "API", word)
    assert result.exit_code == 0, result.stderr
    assert "API is now ▲ Partial Outage." in result.output
    assert status_of(page, "API") == "partial_outage"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("component", "set", "API", "parital_outage"),
         "invalid component status 'parital_outage'; did you mean 'partial_outage'? accepted "
         "values: operational, degraded_performance, partial_outage, major_outage, "
         "under_maintenance, auto"),
        (("incident", "declare", "T", "--impact", "m", "-m", "x"),
         "impact 'm' is ambiguous: it could be minor or major"),
        (("incident", "declare", "T", "--impact", "majr", "-m", "x"),
         "invalid impact 'majr'; did you mean 'major'?"),
        (("incident", "declare", "T", "--impact", "minor", "--status", "i", "-m", "x"),
         "incident status 'i' is ambiguous: it could be investigating or identified"),
        (("incident", "declare", "T", "--impact", "minor", "--component", "API=outage", "-m", "x"),
         "invalid status for component 'API' 'outage'"),
        (("incident", "declare", "T", "--impact", "minor", "--status", "resolved", "-m", "x"),
         "invalid incident status 'resolved'"),
    ],
)  # fmt: skip
def test_typos_suggest_and_ambiguous_prefixes_name_the_candidates(
    page: RunCli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = dump(db_path)
    result = page(*args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert dump(db_path) == before


def test_incident_words_are_forgiving_too(page: RunCli) -> None:
    result = page(
        "incident", "declare", "API errors", "--impact", "Maj", "--status", "Ident",
        "--component", "API=major outage", "--component", "Web=Degraded", "-m", "Looking.",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.output)
    assert (body["impact"], body["status"]) == ("major", "identified")
    assert (status_of(page, "API"), status_of(page, "Web")) == (
        "major_outage",
        "degraded_performance",
    )
    updated = page("incident", "update", body["id"], "--status", "Monitor", "-m", "Fix out.")
    assert updated.exit_code == 0, updated.stderr
    assert "Monitoring" in updated.output


def test_the_service_reads_words_the_same_way() -> None:
    assert (
        parse_enum(ComponentStatus, "Under Maintenance", "s") is ComponentStatus.UNDER_MAINTENANCE
    )
    assert parse_enum(IncidentStatus, "res", "s") is IncidentStatus.RESOLVED
    with pytest.raises(InvalidInput, match="could be investigating or identified"):
        parse_enum(IncidentStatus, "I", "s")


def test_templates_add_list_show_remove(page: RunCli, db_path: Path) -> None:
    added = page(
        "template", "add", "api-errors", "--title", "Elevated API errors",
        "-m", "We are investigating elevated error rates.", "--component", "api",
        "--status", "Identified",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert "Added template 'api-errors'." in added.output
    listed = page("template", "list")
    assert re.search(r"api-errors\s+identified\s+API\s+Elevated API errors", listed.output)
    shown = page("template", "show", "api-errors", "--json")
    assert json.loads(shown.output) == {
        "id": json.loads(shown.output)["id"],
        "name": "api-errors",
        "title": "Elevated API errors",
        "body": "We are investigating elevated error rates.",
        "update_status": "identified",
        "components": ["API"],
    }
    before = dump(db_path)
    twice = page("template", "add", "api-errors", "--title", "T", "-m", "B")
    assert twice.exit_code == 2 and "a template named 'api-errors' already exists" in twice.stderr
    bad = page("template", "add", "x", "--title", "T", "-m", "B", "--status", "cancel")
    assert bad.exit_code == 2 and "invalid template status 'cancel'" in bad.stderr
    assert dump(db_path) == before
    removed = page("template", "remove", "api-errors")
    assert removed.exit_code == 0 and "Removed template 'api-errors'." in removed.output
    assert "No templates." in page("template", "list").output
    gone = page("template", "show", "api-errors")
    assert gone.exit_code == 2 and "unknown incident template 'api-errors'" in gone.stderr


def test_declare_from_a_template_and_override_it(page: RunCli) -> None:
    page(
        "template", "add", "api-errors", "--title", "Elevated API errors",
        "-m", "We are investigating elevated error rates.", "--component", "API",
        "--status", "identified",
    )  # fmt: skip
    plain = page("incident", "declare", "--template", "api-errors", "--impact", "major", "--json")
    assert plain.exit_code == 0, plain.stderr
    body = json.loads(plain.output)
    assert (body["name"], body["status"]) == ("Elevated API errors", "identified")
    assert body["incident_updates"][0]["body"] == "We are investigating elevated error rates."
    assert [c["name"] for c in body["components"]] == ["API"]
    assert status_of(page, "API") == "partial_outage"
    mine = page(
        "incident", "declare", "Web is slow", "--template", "api-errors", "--impact", "minor",
        "--component", "Web", "-m", "Pages load slowly.", "--status", "investigating", "--json",
    )  # fmt: skip
    assert mine.exit_code == 0, mine.stderr
    body = json.loads(mine.output)
    assert (body["name"], body["status"]) == ("Web is slow", "investigating")
    assert body["incident_updates"][0]["body"] == "Pages load slowly."
    assert [c["name"] for c in body["components"]] == ["Web"]
    missing = page("incident", "declare", "--template", "nope", "--impact", "minor")
    assert missing.exit_code == 2 and "unknown incident template 'nope'" in missing.stderr
    neither = page("incident", "declare", "--impact", "minor", "-m", "x")
    assert neither.exit_code == 2 and "give a TITLE, or --template NAME" in neither.stderr


def test_a_dry_run_declare_shows_a_placeholder_not_an_id(
    page: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    before = dump(db_path)
    result = page(
        "incident", "declare", "API errors", "--severity", "SEV1", "--component", "API",
        "-m", "We are investigating API errors.", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('Dry run: SEV1 incident <ID> "API errors"')
    assert "statuspage comms approve <ID>" in result.stdout
    ids = sqlite3.connect(db_path).execute("SELECT id FROM components").fetchall()
    shown = set(re.findall(r"\b[a-z0-9]{12}\b", result.stdout)) - {i for (i,) in ids}
    assert not shown, f"ids that will never exist: {shown}"
    assert dump(db_path) == before


def test_resolving_while_another_incident_holds_a_component_warns_naming_it(
    page: RunCli,
) -> None:
    def declare(title: str, spec: str) -> str:
        result = page(
            "incident", "declare", title, "--impact", "major", "--component", spec,
            "-m", "Looking.", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return str(json.loads(result.output)["id"])

    first = declare("API errors", "API=degraded_performance")
    second = declare("Database down", "API=major_outage")
    lone = declare("Web slow", "Web=degraded_performance")
    result = page("incident", "resolve", first, "-m", "Fixed.")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f'warning: API stays Major Outage: still held by incident {second} "Database down" '
        "(investigating)\n"
    )
    assert status_of(page, "API") == "major_outage"
    quiet = page("incident", "resolve", lone, "-m", "Fixed.")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_no_database_names_the_option_and_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "incident", "list"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: no database at {missing}; create it with `statuspage init`, or point to one "
        "with --db PATH or STATUSPAGE_DB\n"
    )
    assert not missing.exists()
