"""One document that does not build never stops the others; old bad text still publishes."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from statuspage.service import Service
from tests.conftest import FakeClock
from tests.site_helpers import client, seed, wait_for

LOGGER = "statuspage.publish"


def _sql(db_path: Path, statement: str, *params: object) -> None:
    """Write straight into the database, past every check (as an old database may hold)."""
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(statement, params)
    finally:
        conn.close()


def _declare(db_path: Path, clock: FakeClock, title: str) -> str:
    async def use(svc: Service) -> str:
        return (await svc.declare_incident(title, message="Looking.", impact="minor")).id

    return seed(db_path, clock, use)


def _resolve(db_path: Path, clock: FakeClock, incident_id: str) -> None:
    async def use(svc: Service) -> None:
        await svc.resolve_incident(incident_id)

    seed(db_path, clock, use)


def _naming(caplog: pytest.LogCaptureFixture, path: str) -> list[logging.LogRecord]:
    """The records naming `path`, INFO and up (a traceback follows at DEBUG)."""
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and r.levelno >= logging.INFO and path in r.getMessage()
    ]


def test_a_feed_that_does_not_build_keeps_its_last_version_and_the_rest_updates(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    _declare(db_path, clock, "API errors")
    with client(db_path, clock) as c:
        good_rss = c.get("/history.rss").content
        assert b"API errors" in good_rss
        # XML cannot hold U+001B: the feeds' links to the page stop building.
        _sql(db_path, "UPDATE page SET url = ?", "https://status.acme.test/\x1b")
        _declare(db_path, clock, "Database slow")
        wait_for(lambda: "Database slow" in c.get("/api/v2/summary.json").text)
        assert "Database slow" in c.get("/").text
        assert "Database slow" in c.get("/feed.json").text
        rss = c.get("/history.rss")
        assert (rss.status_code, rss.content) == (200, good_rss)
        failures = _naming(caplog, "/en/history.rss")
        assert len(failures) == 1 and failures[0].levelno == logging.ERROR
        assert "serving its last good version" in failures[0].getMessage()
        assert "XML compatible" in failures[0].getMessage()  # why, in the same line

        second = _declare(db_path, clock, "Queue backlog")
        wait_for(lambda: "Queue backlog" in c.get("/api/v2/summary.json").text)
        _resolve(db_path, clock, second)
        wait_for(lambda: "Queue backlog" not in c.get("/api/v2/summary.json").text)
        assert len(_naming(caplog, "/en/history.rss")) == 1  # not once per republish

        _sql(db_path, "UPDATE page SET url = ?", "https://status.acme.test")
        _declare(db_path, clock, "Search down")
        wait_for(lambda: b"Search down" in c.get("/history.rss").content)
        again = _naming(caplog, "/en/history.rss")
        assert [r.levelno for r in again] == [logging.ERROR, logging.INFO]
        assert "builds again" in again[1].getMessage()


def test_a_document_that_never_built_answers_503_uncached(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    _declare(db_path, clock, "API errors")
    _sql(db_path, "UPDATE page SET url = ?", "https://status.acme.test/\x00")
    with client(db_path, clock) as c:
        rss = c.get("/history.rss")
        assert rss.status_code == 503
        assert rss.headers["cache-control"] == "no-store"
        assert "could not be built" in rss.text
        assert c.get("/").status_code == 200
        assert "API errors" in c.get("/api/v2/summary.json").text
    failures = _naming(caplog, "/en/history.atom")
    assert len(failures) == 1 and "serving a 503" in failures[0].getMessage()


def test_control_characters_an_old_database_holds_are_left_out_of_xml_and_icalendar(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    incident_id = _declare(db_path, clock, "API errors")
    _sql(db_path, "UPDATE incidents SET name = ? WHERE id = ?", "API\x1b[31m errors", incident_id)
    _sql(db_path, "UPDATE incident_updates SET body = ?", "Look\x1bing.")
    _sql(db_path, "UPDATE page SET name = ?", "Acme\x07")
    with client(db_path, clock) as c:
        for path in ("/history.rss", "/history.atom"):
            feed = c.get(path)
            assert feed.status_code == 200, path
            assert "API[31m errors" in feed.text and "Looking." in feed.text
            assert "Acme status history" in feed.text
        assert c.get("/maintenance.ics").status_code == 200
        assert "API\\u001b[31m errors" in c.get("/api/v2/summary.json").text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
