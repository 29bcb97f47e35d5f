"""`statuspage plan example [NAME]`: the shipped plans, printed to copy and edit."""

from __future__ import annotations

from pathlib import Path

from statuspage.resources import DEFAULT_PLAN, PLANS
from tests.conftest import RunCli


def test_plan_example_prints_the_shipped_default_plan_and_a_copy_of_it_validates(
    run_cli: RunCli, tmp_path: Path
) -> None:
    result = run_cli("plan", "example", init=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == DEFAULT_PLAN.read_text(encoding="utf-8")
    elsewhere = tmp_path / "ops" / "my-plan.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(result.stdout)
    checked = run_cli("plan", "validate", str(elsewhere), init=False)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"{elsewhere}: OK (")


def test_plan_example_small_team_prints_the_small_team_plan(run_cli: RunCli) -> None:
    result = run_cli("plan", "example", "small-team", init=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == (PLANS / "examples" / "small-team.yaml").read_text(encoding="utf-8")
    assert "name: Small team plan" in result.stdout


def test_an_unknown_example_plan_is_refused_in_one_line_naming_the_shipped_ones(
    run_cli: RunCli,
) -> None:
    result = run_cli("plan", "example", "huge-team", init=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: no shipped plan named 'huge-team'; choose one of: default, small-team\n"
    )
