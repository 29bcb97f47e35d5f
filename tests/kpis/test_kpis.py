"""The pure figures: cadence promises, open incidents, durations as people read them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from statuspage.cli.report import duration
from statuspage.kpis import Cadence, IncidentFacts, cadence, open_incident
from tests.conftest import START

M = timedelta(minutes=1)


def facts(**kw: object) -> IncidentFacts:
    return IncidentFacts("i1", "API errors", "SEV1", "investigating", START, START, **kw)  # type: ignore[arg-type]


def test_a_promise_answered_by_the_resolution_on_time_is_kept() -> None:
    f = facts(update_times=(START,), promises=((START, START + 30 * M),),
              resolved_at=START + 30 * M)  # fmt: skip
    assert cadence(f, START + 90 * M) == Cadence(kept=1)


def test_a_promise_unanswered_is_running_until_its_time_then_missed() -> None:
    f = facts(update_times=(START,), promises=((START, START + 30 * M),))
    assert cadence(f, START + 30 * M) == Cadence(running=1)
    assert cadence(f, START + 31 * M) == Cadence(missed=1)
    assert Cadence(running=1).percent is None and Cadence(2, 1).percent == 66.7


def test_an_open_incident_shows_silence_overdue_and_the_longest_approval_wait() -> None:
    f = facts(update_times=(START, START + 20 * M),
              promises=((START, START + 30 * M), (START + 20 * M, START + 50 * M)),
              approvals=((START, START + 5 * M), (START + 20 * M, None)))  # fmt: skip
    now = START + 62 * M
    o = open_incident(f, now)
    assert (o.open_seconds, o.silent_seconds, o.overdue_seconds, o.approval_wait_seconds) == (
        62 * 60,
        62 * 60,
        12 * 60,
        42 * 60,
    )
    told = open_incident(facts(first_public_at=START + M), now)
    assert (told.silent_seconds, told.overdue_seconds, told.approval_wait_seconds) == (0, 0, 0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (59, "59 s"), (60, "1 min"), (250, "4 min 10 s"),
     (3600, "1 h"), (3900, "1 h 5 min"), (86400 + 7200, "1 d 2 h")],
)  # fmt: skip
def test_durations_read_as_people_say_them(seconds: int | None, text: str) -> None:
    assert duration(seconds) == text
