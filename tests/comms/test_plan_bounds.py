"""A plan file cannot make the reader work without end: its size, its nesting and the values
its YAML aliases expand to are bounded, and going over says where (file:line:column)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from statuspage.comms.compose.validate import validate_plan
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.yamlnodes import MAX_VALUES, load
from statuspage.resources import DEFAULT_PLAN

DEFAULT = DEFAULT_PLAN

# "Billion laughs": ten lines that would expand to 9**9 (387 million) strings.
BOMB = "version: 1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def statuspage(*args: str, plan: Path | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    if plan is not None:
        environ["STATUSPAGE_COMMS_PLAN"] = str(plan)
    return subprocess.run(
        [sys.executable, "-m", "statuspage.cli", *args],
        capture_output=True, text=True, timeout=10, env=environ,
    )  # fmt: skip


def test_a_billion_laughs_plan_is_refused_by_plan_validate_at_its_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    result = statuspage("plan", "validate", str(bomb))
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert re.search(
        rf"^{re.escape(str(bomb))}:\d+:\d+: error: the plan has more than {MAX_VALUES} values "
        r"once its aliases are expanded; hint: use fewer YAML aliases",
        output,
        re.MULTILINE,
    ), output
    assert "Traceback" not in output


def test_serve_refuses_a_billion_laughs_plan_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    db = tmp_path / "s.db"
    assert statuspage("--db", str(db), "init", plan=bomb).returncode == 0
    result = statuspage("--db", str(db), "serve", "--port", "1", plan=bomb)
    assert result.returncode == 2
    assert f"{bomb}:2:" in result.stderr or f"{bomb}:3:" in result.stderr
    assert "does not validate; not serving" in result.stderr


def test_deep_nesting_is_refused_with_its_place_not_a_recursion_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("version: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    issues = Issues()
    assert load(deep, issues) is None
    (issue,) = issues.errors
    assert str(issue).startswith(f"{deep}:2:")
    assert "values nest more than 64 levels deep" in str(issue)


def test_aliases_nesting_deeper_than_the_text_are_refused(tmp_path: Path) -> None:
    chain = tmp_path / "chain.yaml"
    lines = ["version: 1", "a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 3000)]
    chain.write_text("\n".join(lines) + "\n")
    issues = Issues()
    assert load(chain, issues) is None
    assert "values nest more than 64 levels deep" in str(issues.errors[0])


def test_a_plan_over_one_mebibyte_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(DEFAULT.read_text() + "#" + "x" * (1024 * 1024) + "\n")
    report = validate_plan(big, environ={})
    assert report.plan is None
    assert [str(i) for i in report.issues.errors] == [
        f"{big}:1:1: error: the plan is larger than 1 MiB; hint: split out what is not the plan"
    ]


def test_a_large_plan_using_aliases_sensibly_still_loads(tmp_path: Path) -> None:
    """400 more owners sharing their contacts through aliases, some 300 KB in all."""
    text = DEFAULT.read_text().replace("\nowners:\n", "\nowners:\n" + extra_owners(400), 1)
    templates = (DEFAULT.parent / "../templates/comms").resolve()
    text = text.replace("directory: ../templates/comms", f"directory: {templates}", 1)
    plan = tmp_path / "large.yaml"
    plan.write_text(text + "# " + "padding " * 30_000 + "\n")
    assert 200_000 < plan.stat().st_size < 1024 * 1024
    names = re.findall(r"\$\{(\w+)\}", text)
    report = validate_plan(plan, environ={n: "https://x.test" for n in names})
    assert [str(i) for i in report.issues.errors] == []
    assert report.plan is not None and "regional_lead_399" in report.plan.owners


def extra_owners(count: int) -> str:
    shared = (
        "  regional_lead_0:\n    label: Regional lead 0\n    contacts: &regional\n"
        "      email: ${OWNER_IC_EMAIL}\n      sms: ${OWNER_IC_SMS}\n"
        "    backup: incident_commander\n"
    )
    return shared + "".join(
        f"  regional_lead_{i}:\n    label: Regional lead {i}\n    contacts: *regional\n"
        "    backup: incident_commander\n"
        for i in range(1, count)
    )
