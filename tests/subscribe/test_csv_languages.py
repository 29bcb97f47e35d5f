"""Subscribers' languages through CSV: `subscribers import/export` and the Manage API import.
Forgiving tags are stored as the shipped tag; an unknown language refuses its row (named by
line) and nothing of that row is stored; the good rows are imported (the import's rule)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET_KEY, RunCli, dump
from tests.subscribe.conftest import PLAN, Site

UNKNOWN = (
    "unknown language 'xx-Nowhere'; choose one of en, ru, zh-Hans "
    "(or another language code like de or pt_BR)"
)
FILE = (
    "channel,address,language\n"
    "email,ivan@example.com,ru-RU\n"
    "email,li@example.com,zh_CN\n"
    "email,mei@example.com,ZH-hans\n"
    "email,ann@example.com,\n"
    "email,nobody@example.com,xx-Nowhere\n"
    "email,hans@example.com,de\n"
)


@pytest.fixture
def page(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(PLAN))
    monkeypatch.setenv("STATUSPAGE_SECRET_KEY", TEST_SECRET_KEY)
    return run_cli


def languages_in(text: str) -> dict[str, str]:
    return {row["address"]: row["language"] for row in csv.DictReader(io.StringIO(text))}


def test_the_language_column_round_trips_through_import_and_export(
    page: RunCli, tmp_path: Path
) -> None:
    file = tmp_path / "in.csv"
    file.write_text(FILE)
    imported = page("subscribers", "import", str(file), "--skip-confirmation")
    assert imported.exit_code == 1
    assert imported.stderr == f"{file}:6: rejected: {UNKNOWN}\n"
    assert "Imported 5 new, 0 updated, 0 unchanged; 0 skipped, 1 rejected." in imported.output

    out = tmp_path / "out.csv"
    assert page("subscribers", "export", str(out)).exit_code == 0
    assert languages_in(out.read_text()) == {
        "ivan@example.com": "ru",
        "li@example.com": "zh-Hans",
        "mei@example.com": "zh-Hans",
        "ann@example.com": "en",
        "hans@example.com": "de",
    }
    shown = json.loads(page("subscribers", "show", "li@example.com", "--json").output)
    assert shown["language"] == "zh-Hans"

    again = page("subscribers", "import", str(out))
    assert again.exit_code == 0, again.stderr
    assert "Imported 0 new, 0 updated, 5 unchanged" in again.output


def test_a_file_changing_a_language_to_an_unknown_one_changes_nothing_of_that_row(
    page: RunCli, db_path: Path, tmp_path: Path
) -> None:
    file = tmp_path / "in.csv"
    file.write_text("channel,address,language\nemail,ivan@example.com,ru\n")
    assert page("subscribers", "import", str(file), "--skip-confirmation").exit_code == 0
    before = dump(db_path)
    file.write_text("channel,address,language,tags\nemail,ivan@example.com,xx-Nowhere,vip\n")
    refused = page("subscribers", "import", str(file))
    assert refused.exit_code == 1 and refused.stderr == f"{file}:2: rejected: {UNKNOWN}\n"
    assert dump(db_path) == before
    file.write_text("channel,address,language\nemail,ivan@example.com,zh-CN\n")
    assert page("subscribers", "import", str(file)).exit_code == 0
    shown = json.loads(page("subscribers", "show", "ivan@example.com", "--json").output)
    assert shown["language"] == "zh-Hans"


def test_the_manage_api_import_canonicalises_and_names_the_refused_line(site: Site) -> None:
    body = {"csv": FILE, "skip_confirmation_notification": True}
    report = site.api("POST", "/subscribers/import", json=body)
    assert report["created"] == 5
    assert report["rejected"] == [{"line": 6, "reason": UNKNOWN}]
    listed = {s["email"]: s["language"] for s in site.api("GET", "/subscribers")}
    assert listed.get("ivan@example.com") == "ru"
    assert listed.get("li@example.com") == "zh-Hans"
    assert "nobody@example.com" not in listed
