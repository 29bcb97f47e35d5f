"""Published text: control characters and lone surrogates refused at input; CRLF is a newline."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.errors import InvalidInput
from statuspage.text import check_text, publishable
from tests.conftest import RunCli, dump


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("API\x1bdown", "a control character (U+001B) at position 4"),
        ("\x00", "a control character (U+0000) at position 1"),
        ("ab\x7f", "a control character (U+007F) at position 3"),
        ("a\x85", "a control character (U+0085) at position 2"),
        ("é\ud800", "a lone surrogate (U+D800: text that is not valid UTF-8) at position 2"),
        ("x\uffff", "a noncharacter (U+FFFF) at position 2"),
    ],
)
def test_a_refused_character_is_named_with_its_code_point_and_position(
    value: str, expected: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_text(value, "incident name")
    assert str(refused.value) == f"the incident name contains {expected}"


def test_crlf_and_a_lone_cr_become_newlines_and_tabs_stay() -> None:
    assert check_text("a\r\nb\rc\td\ne", "message") == "a\nb\nc\td\ne"


def test_publishable_text_drops_what_input_refuses() -> None:
    assert publishable("A\x1bB\x00C\r\nD\ud800") == "ABC\nD"


CLI_CASES = [
    (
        ("incident", "declare", "API\x1bdown", "--impact", "minor", "-m", "Looking."),
        "the incident name contains a control character (U+001B) at position 4",
    ),
    (
        ("incident", "declare", "API down", "--impact", "minor", "-m", "Look\x00ing."),
        "the message contains a control character (U+0000) at position 5",
    ),
    (
        # A byte that is not UTF-8 on the command line reaches Python as a lone surrogate.
        ("component", "add", "Web\udcff"),
        "the component name contains a lone surrogate (U+DCFF: text that is not valid UTF-8) "
        "at position 4",
    ),
    (
        ("component", "add", "Web", "--description", "Front\x9bend"),
        "the component description contains a control character (U+009B) at position 6",
    ),
    (
        ("group", "add", "Core\x07"),
        "the group name contains a control character (U+0007) at position 5",
    ),
    (
        (
            "maintenance", "schedule", "DB\x1b[31m upgrade", "--start", "+1h", "--end", "+2h",
            "--component", "API",
        ),
        "the maintenance name contains a control character (U+001B) at position 3",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), CLI_CASES)
def test_a_control_character_in_published_text_is_refused_by_the_cli(
    run_cli: RunCli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    before = dump(db_path)
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message}\n"
    assert dump(db_path) == before


def test_a_postmortem_with_a_control_character_is_refused(
    run_cli: RunCli, db_path: Path, tmp_path: Path
) -> None:
    declared = run_cli("incident", "declare", "API down", "--impact", "minor", "-m", "x", "--json")
    incident_id = __import__("json").loads(declared.stdout)["id"]
    assert run_cli("incident", "resolve", incident_id).exit_code == 0
    before = dump(db_path)
    text = tmp_path / "pm.md"
    text.write_text("# What happened\n\nA\x1b[2J", encoding="utf-8")
    result = run_cli("incident", "postmortem", incident_id, "--file", str(text))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the postmortem contains a control character (U+001B) at position 19\n"
    )
    assert dump(db_path) == before


def test_a_message_written_with_crlf_is_stored_with_newlines(run_cli: RunCli) -> None:
    result = run_cli(
        "incident", "declare", "API down", "--impact", "minor", "-m", "One\r\nTwo\rThree", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert "One\nTwo\nThree" in result.stdout.replace("\\n", "\n")


def test_an_argument_that_is_not_utf8_in_a_lookup_is_one_error_line(run_cli: RunCli) -> None:
    assert run_cli("component", "add", "API").exit_code == 0
    for args in (
        ("incident", "show", "ab\udcff"),
        (
            "maintenance",
            "schedule",
            "X",
            "--start",
            "+1h",
            "--end",
            "+2h",
            "--component",
            "ab\udcff",
        ),
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "error: 'ab\\udcff' is not valid text: it contains a lone surrogate "
            "(U+DCFF: text that is not valid UTF-8) at position 3\n"
        )
