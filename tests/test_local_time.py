"""Local times across daylight-saving changes: a skipped time is refused, a doubled one needs
an offset, and time errors read in the page's zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuspage.errors import InvalidInput
from statuspage.local_time import human, localize
from tests.conftest import RunCli, dump

NEW_YORK = "America/New_York"


@pytest.fixture
def new_york(run_cli: RunCli) -> RunCli:
    assert run_cli("page", "set", "--time-zone", NEW_YORK).exit_code == 0
    assert run_cli("component", "add", "API").exit_code == 0
    return run_cli


def _backfill(run: RunCli, started: str, resolved: str) -> tuple[int, str, str]:
    result = run(
        "incident", "backfill", "Old outage", "--impact", "minor", "--component", "API",
        "--started", started, "--resolved", resolved, "-m", "It broke.", "--json",
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_a_local_time_that_clocks_skip_is_refused_with_where_they_jump(
    new_york: RunCli, db_path: Path
) -> None:
    before = dump(db_path)
    code, _, stderr = _backfill(new_york, "2026-03-08 02:30", "2026-03-08 04:00")
    assert code == 2
    assert stderr == (
        "error: --started: 02:30 does not exist on 8 Mar 2026 in America/New_York "
        "(clocks jump to 03:00)\n"
    )
    assert dump(db_path) == before


def test_a_maintenance_window_across_the_spring_gap_names_the_gap_not_an_empty_window(
    new_york: RunCli, db_path: Path
) -> None:
    before = dump(db_path)
    result = new_york(
        "maintenance", "schedule", "Upgrade", "--start", "2027-03-14 02:30",
        "--end", "2027-03-14 03:30", "--component", "API",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --start: 02:30 does not exist on 14 Mar 2027 in America/New_York "
        "(clocks jump to 03:00)\n"
    )
    assert dump(db_path) == before


def test_a_local_time_that_happens_twice_asks_for_an_offset(
    new_york: RunCli, db_path: Path
) -> None:
    before = dump(db_path)
    code, _, stderr = _backfill(new_york, "2026-11-01 01:30", "2026-11-01 03:00")
    assert code == 2
    assert stderr == (
        "error: --started: 01:30 on 1 Nov 2026 happens twice in America/New_York; "
        "add the offset: 01:30-04:00 (EDT) or 01:30-05:00 (EST)\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("2026-11-01 01:30-04:00", "2026-11-01T05:30:00.000Z"),
        ("2026-11-01 01:30-05:00", "2026-11-01T06:30:00.000Z"),
    ],
)
def test_a_doubled_local_time_with_its_offset_is_taken_as_written(
    new_york: RunCli, started: str, expected: str
) -> None:
    code, stdout, stderr = _backfill(new_york, started, "2026-11-01 03:00")
    assert code == 0, stderr
    assert json.loads(stdout)["started_at"] == expected


def test_time_errors_show_times_in_the_page_zone(new_york: RunCli) -> None:
    code, _, stderr = _backfill(new_york, "2026-03-08 04:00", "2026-03-08 01:00")
    assert code == 2
    assert stderr == (
        "error: --resolved (Sun 8 Mar 2026 01:00 EST) must be after --started "
        "(Sun 8 Mar 2026 04:00 EDT)\n"
    )
    result = new_york(
        "maintenance", "schedule", "Upgrade", "--start", "2026-01-05 09:00",
        "--end", "2026-01-05 10:00", "--component", "API",
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: --end '2026-01-05 10:00' is in the past (Mon 5 Jan 2026 10:00 EST)\n"
    )


@pytest.mark.parametrize(
    ("wall", "zone", "message"),
    [
        (
            datetime(2026, 3, 29, 2, 15),
            "Europe/Berlin",
            "02:15 does not exist on 29 Mar 2026 in Europe/Berlin (clocks jump to 03:00)",
        ),
        (  # a half-hour change
            datetime(2026, 10, 4, 2, 10),
            "Australia/Lord_Howe",
            "02:10 does not exist on 4 Oct 2026 in Australia/Lord_Howe (clocks jump to 02:30)",
        ),
        (
            datetime(2026, 10, 25, 2, 15, 30),
            "Europe/Berlin",
            "02:15:30 on 25 Oct 2026 happens twice in Europe/Berlin; "
            "add the offset: 02:15:30+02:00 (CEST) or 02:15:30+01:00 (CET)",
        ),
    ],
)
def test_skipped_and_doubled_times_are_described_in_any_zone(
    wall: datetime, zone: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        localize(wall, zone)
    assert str(refused.value) == message


def test_times_next_to_a_change_are_read_as_written() -> None:
    assert localize(datetime(2026, 3, 8, 3, 0), NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert localize(datetime(2026, 3, 8, 1, 59), NEW_YORK) == datetime(
        2026, 3, 8, 6, 59, tzinfo=UTC
    )
    assert human(datetime(2026, 3, 8, 11, 30, 0, 123456, tzinfo=UTC), NEW_YORK) == (
        "Mar 8, 2026 07:30 EDT"
    )
