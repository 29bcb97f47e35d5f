"""Times as people type them at 3 a.m., read in the page's time zone, and times in errors
shown there too ("02:29 CET"), never as raw UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from statuspage.cli.times import Direction, ago, overdue, parse_time
from statuspage.errors import InvalidInput
from statuspage.local_time import human
from tests.conftest import RunCli, dump

BERLIN = "Europe/Berlin"
# Tuesday 10 March 2026, 13:00 in Berlin (CET, UTC+1).
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("+2h", NOW + timedelta(hours=2)),
        ("now+90m", NOW + timedelta(minutes=90)),
        ("-30m", NOW - timedelta(minutes=30)),
        ("in 2h", NOW + timedelta(hours=2)),
        ("in 90 min", NOW + timedelta(minutes=90)),
        ("In 3 Days", NOW + timedelta(days=3)),
        ("2h ago", NOW - timedelta(hours=2)),
        ("15:00", berlin(2026, 3, 10, 15)),
        ("9:30", berlin(2026, 3, 10, 9, 30)),
        ("3pm", berlin(2026, 3, 10, 15)),
        ("3 PM", berlin(2026, 3, 10, 15)),
        ("3:30pm", berlin(2026, 3, 10, 15, 30)),
        ("12am", berlin(2026, 3, 10, 0)),
        ("12pm", berlin(2026, 3, 10, 12)),
        ("noon", berlin(2026, 3, 10, 12)),
        ("today 15:00", berlin(2026, 3, 10, 15)),
        ("tomorrow 15:00", berlin(2026, 3, 11, 15)),
        ("Tomorrow 3 pm", berlin(2026, 3, 11, 15)),
        ("yesterday 09:00", berlin(2026, 3, 9, 9)),
        ("mon 09:00", berlin(2026, 3, 16, 9)),  # the next Monday
        ("wed 09:00", berlin(2026, 3, 11, 9)),
        ("tue 14:00", berlin(2026, 3, 10, 14)),  # today: still ahead
        ("tue 09:00", berlin(2026, 3, 17, 9)),  # today's has passed: next week's
        ("friday 5pm", berlin(2026, 3, 13, 17)),
        ("2026-03-20 15:00", berlin(2026, 3, 20, 15)),
        ("2026-03-20 3pm", berlin(2026, 3, 20, 15)),
        ("2026-03-20", berlin(2026, 3, 20, 0)),
        ("2026-03-20T15:00:00Z", datetime(2026, 3, 20, 15, tzinfo=UTC)),
        ("2026-03-20T15:00:00+01:00", datetime(2026, 3, 20, 14, tzinfo=UTC)),
    ],
)
def test_times_as_people_type_them(text: str, expected: datetime) -> None:
    assert parse_time(text, BERLIN, NOW) == expected


def test_a_weekday_where_a_past_time_is_wanted_is_the_last_one() -> None:
    assert parse_time("mon 09:00", BERLIN, NOW, want="past") == berlin(2026, 3, 9, 9)
    assert parse_time("tue 09:00", BERLIN, NOW, want="past") == berlin(2026, 3, 10, 9)
    assert parse_time("tue 14:00", BERLIN, NOW, want="past") == berlin(2026, 3, 3, 14)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "malformed --end '25:00'; use 15:00, 3pm, tomorrow 15:00"),
        ("13pm", "malformed --end '13pm'"),
        ("soon", "malformed --end 'soon'"),
        ("tomorrow", "--end 'tomorrow' needs a time of day too, e.g. 'tomorrow 09:00'"),
        ("15", "malformed --end '15'"),
        ("12:00", "--end '12:00' is in the past (12:00 CET); for tomorrow write 'tomorrow 12:00'"),
        ("yesterday 15:00", "--end 'yesterday 15:00' is in the past (Mon 9 Mar 2026 15:00 CET)"),
        ("2025-12-01 10:00", "is in the past (Mon 1 Dec 2025 10:00 CET)"),
    ],
)
def test_bad_or_past_times_are_refused_saying_what_to_write(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_time(text, BERLIN, NOW, "--end", want="future")
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "want", "meant"),
    [
        ("tomorow 3am", "future", "'tomorrow 3am'"),
        ("Tommorrow 15:00", "future", "'tomorrow 15:00'"),
        ("firday 5pm", None, "'friday 5pm'"),
        ("yestrday 9am", "past", "'yesterday 9am'"),
        ("2h agoo", "past", "'2h ago'"),
        ("3h", "future", "'in 3h'"),
        ("90 min", "past", "'90 min ago'"),
        ("2h", None, "'in 2h' or '2h ago'"),
    ],
)
def test_a_misspelt_time_or_a_bare_duration_is_refused_with_what_it_likely_means(
    text: str, want: Direction, meant: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_time(text, BERLIN, NOW, "--start", want=want)
    assert str(refused.value).startswith(f"malformed --start {text!r}; did you mean {meant}? use ")


@pytest.mark.parametrize("text", ["soon", "xyz 3am", "tomorow", "25:00"])
def test_a_time_close_to_nothing_that_reads_is_refused_without_a_guess(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_time(text, BERLIN, NOW, "--start")
    assert "did you mean" not in str(refused.value)


def test_a_future_time_where_a_past_one_is_wanted_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"--since 'tomorrow 9am' is in the future"):
        parse_time("tomorrow 9am", BERLIN, NOW, "--since", want="past")


def test_clock_times_across_daylight_saving_keep_refusing_gaps_and_doubles() -> None:
    new_york, night = "America/New_York", datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="02:30 does not exist on 8 Mar 2026"):
        parse_time("tomorrow 2:30am", new_york, night, "--start")
    with pytest.raises(InvalidInput, match="01:30 on 1 Nov 2026 happens twice"):
        parse_time("sun 1:30am", new_york, datetime(2026, 10, 31, 20, tzinfo=UTC), "--start")
    # The day after the change, 15:00 is EDT (UTC-4), not EST.
    assert parse_time("tomorrow 15:00", new_york, night) == datetime(2026, 3, 8, 19, tzinfo=UTC)


def test_times_in_messages_have_the_date_only_when_not_today() -> None:
    assert human(berlin(2026, 3, 10, 2, 29), BERLIN, NOW) == "02:29 CET"
    assert human(berlin(2026, 3, 11, 2, 29), BERLIN, NOW) == "Wed 11 Mar 2026 02:29 CET"
    assert human(berlin(2027, 1, 2, 2, 29), BERLIN, NOW) == "Sat 2 Jan 2027 02:29 CET"
    assert human(berlin(2026, 3, 11, 2, 29), BERLIN) == "Mar 11, 2026 02:29 CET"


@pytest.fixture
def page(run_cli: RunCli) -> RunCli:
    assert run_cli("component", "add", "API").exit_code == 0
    return run_cli


def test_maintenance_takes_tomorrow_and_a_clock_time_in_the_page_zone(page: RunCli) -> None:
    zone = ZoneInfo(BERLIN)
    before = datetime.now(zone).date()
    result = page(
        "maintenance", "schedule", "Upgrade", "--start", "tomorrow 2am",
        "--end", "tomorrow 4:30am", "--component", "API", "--json",
    )  # fmt: skip
    after = datetime.now(zone).date()
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.output)
    starts = {
        datetime.combine(d + timedelta(days=1), datetime.min.time(), zone).replace(hour=2)
        for d in (before, after)
    }
    start = datetime.fromisoformat(body["scheduled_for"].replace("Z", "+00:00"))
    assert start in starts
    assert datetime.fromisoformat(body["scheduled_until"].replace("Z", "+00:00")) == start + (
        timedelta(hours=2, minutes=30)
    )


def test_a_past_end_is_refused_in_the_page_zone_and_nothing_is_stored(
    page: RunCli, db_path: Path
) -> None:
    before = dump(db_path)
    result = page(
        "maintenance", "schedule", "Upgrade", "--start", "yesterday 01:00",
        "--end", "yesterday 03:00", "--component", "API",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "error: --end 'yesterday 03:00' is in the past (" in result.stderr
    assert " 03:00 CE" in result.stderr and "Z" not in result.stderr.partition("(")[2]
    assert dump(db_path) == before


def test_backfill_takes_relative_and_day_words(page: RunCli) -> None:
    result = page(
        "incident", "backfill", "Old outage", "--impact", "minor", "--component", "API",
        "--started", "3h ago", "--resolved", "in 1h", "-m", "It broke.",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--resolved 'in 1h' is in the future (" in result.stderr
    assert ".000" not in result.stderr and "+00:00" not in result.stderr
    done = page(
        "incident", "backfill", "Old outage", "--impact", "minor", "--component", "API",
        "--started", "3h ago", "--resolved", "2h ago", "-m", "It broke.", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    body = json.loads(done.output)
    started = datetime.fromisoformat(body["started_at"].replace("Z", "+00:00"))
    resolved = datetime.fromisoformat(body["resolved_at"].replace("Z", "+00:00"))
    assert resolved - started == timedelta(hours=1)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "just now"), (4, "just now"), (5, "5s ago"), (600, "10 min ago"), (-7200, "in 2h 00m")],
)
def test_how_long_ago_reads_as_people_say_it(seconds: int, shown: str) -> None:
    now = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert ago(now - timedelta(seconds=seconds), now) == shown


def test_a_due_time_just_passed_is_overdue_without_a_zero() -> None:
    now = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert overdue(now - timedelta(seconds=2), now) == "overdue"
    assert overdue(now - timedelta(minutes=12), now) == "overdue by 12 min"
