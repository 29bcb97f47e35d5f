"""Without STATUSPAGE_SECRET_KEY no message to a subscriber can be sent (its links are
signed with it): every place that takes subscribers or shows their messages says so early."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from statuspage.config import Settings
from statuspage.resources import DEFAULT_PLAN
from statuspage.subscribe import make_offer
from tests.comms.test_cli import declare, seed
from tests.conftest import TEST_SECRET_KEY, RunCli
from tests.subscribe.conftest import PLAN

WARNING = "warning: STATUSPAGE_SECRET_KEY is not set here"


@pytest.fixture
def keyless(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(PLAN))
    monkeypatch.delenv("STATUSPAGE_SECRET_KEY", raising=False)
    return run_cli


def test_adding_a_subscriber_without_the_key_stores_them_and_warns_in_one_line(
    keyless: RunCli,
) -> None:
    added = keyless("subscribers", "add", "email", "x@example.com", "--skip-confirmation")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added x@example.com (")
    assert added.stderr.startswith(WARNING) and added.stderr.count("\n") == 1
    assert "x@example.com" in keyless("subscribers", "list").stdout


def test_importing_subscribers_without_the_key_warns_in_one_line(
    keyless: RunCli, tmp_path: Path
) -> None:
    file = tmp_path / "in.csv"
    file.write_text("channel,address\nemail,x@example.com\n")
    result = keyless("subscribers", "import", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported 1 new")
    assert result.stderr.startswith(WARNING) and result.stderr.count("\n") == 1


def test_with_the_key_set_adding_and_importing_say_nothing_more(
    keyless: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_SECRET_KEY", TEST_SECRET_KEY)
    file = tmp_path / "in.csv"
    file.write_text("channel,address\nemail,y@example.com\n")
    assert keyless("subscribers", "add", "email", "x@example.com").stderr == ""
    assert keyless("subscribers", "import", str(file)).stderr == ""


@pytest.mark.parametrize("key", ["", TEST_SECRET_KEY])
def test_a_preview_says_when_its_links_could_not_be_sent_for_real(
    run_cli: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    monkeypatch.setenv("STATUSPAGE_SECRET_KEY", key)
    assert run_cli("component", "add", "API").exit_code == 0
    seed(db_path, "email", 2)
    incident_id = declare(run_cli)
    result = run_cli("comms", "preview", incident_id)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stdout.splitlines() if line.startswith(WARNING)]
    assert len(warned) == (0 if key else 1), result.stdout


def test_a_server_whose_subscribe_page_offers_nothing_logs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(db=tmp_path / "s.db", comms_plan=str(PLAN), secret_key="")
    with caplog.at_level(logging.INFO, logger="statuspage.subscribe"):
        offer = make_offer(settings, None, {"email"})
    assert offer.channels == ()
    [record] = [r for r in caplog.records if "offers no channel" in r.message]
    assert record.levelno == logging.WARNING
