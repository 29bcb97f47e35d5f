"""A database file that is not ours (garbage, another program's, a newer version's) is refused
in one line with exit code 2, quickly, by every command and by the server; it is never changed."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import dump

STATUSPAGE = [sys.executable, "-m", "statuspage.cli"]
GARBAGE = bytes(range(256)) * 40  # no SQLite header: "file is not a database"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script in a process of its own: a hang fails the test, not the suite."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    environ["STATUSPAGE_COMMS_PLAN"] = "off"
    return subprocess.run(
        [*STATUSPAGE, *args],
        capture_output=True,
        text=True,
        timeout=10,
        env={**environ, **(env or {})},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.db"
    path.write_bytes(GARBAGE)
    return path


@pytest.mark.parametrize(
    "command", [["incident", "list"], ["page", "show"], ["init"], ["tick"], ["export", "out"]]
)
def test_a_garbage_database_file_is_refused_in_one_line_by_every_command(
    garbage: Path, command: list[str]
) -> None:
    result = run("--db", str(garbage), *command)
    assert_one_line(
        result, f"error: {garbage} is not a statuspage database (file is not a database)"
    )
    assert garbage.read_bytes() == GARBAGE


def test_serve_refuses_a_garbage_database_in_one_line_and_exits(garbage: Path) -> None:
    result = run("--db", str(garbage), "serve", "--port", str(free_port()))
    assert_one_line(
        result, f"error: {garbage} is not a statuspage database (file is not a database)"
    )


def test_a_server_whose_start_fails_on_the_database_says_so_in_one_line_and_exits(
    garbage: Path,
) -> None:
    """The app's own start (each server process opens the database again) fails the same way."""
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "statuspage.app:app_from_environment",
         "--port", str(free_port())],
        capture_output=True, text=True, timeout=10,
        env={**os.environ, "STATUSPAGE_DB": str(garbage), "STATUSPAGE_COMMS_PLAN": "off"},
    )  # fmt: skip
    assert result.returncode == 3  # uvicorn's "failed to start"; `serve` turns it into 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {garbage} is not a statuspage database (file is not a database)"]
    assert "Traceback" not in result.stderr


def test_another_programs_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    before = dump(other)
    for command in (["init"], ["incident", "list"]):
        result = run("--db", str(other), *command)
        assert_one_line(
            result,
            f"error: {other} is not a statuspage database (it holds other tables, such as "
            "'photos')",
        )
    assert dump(other) == before
    with sqlite3.connect(other) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not made WAL


def test_a_database_of_a_newer_version_is_refused_with_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "status.db"
    assert run("--db", str(db), "init").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations (name) VALUES ('9901_from_the_future')")
    before = dump(db)
    result = run("--db", str(db), "incident", "list")
    assert_one_line(
        result,
        f"error: {db} was made by a newer version of statuspage (schema '9901_from_the_future' "
        "is unknown to this one); upgrade statuspage to use it",
    )
    assert dump(db) == before


def test_an_empty_file_is_a_new_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = run("--db", str(empty), "init")
    assert result.returncode == 0, result.stderr
    assert run("--db", str(empty), "incident", "list").stdout == "No incidents.\n"


def test_a_database_in_a_missing_directory_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "status.db"
    result = run("--db", str(db), "init")
    assert_one_line(result, f"error: cannot open the database {db}: no directory {db.parent}")
