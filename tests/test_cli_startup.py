"""`statuspage --help` and `incident list` start fast: commands are imported when used, and
the web server, templates and channel clients only by the commands that need them.

Which modules a command imports is the deterministic proxy for its start-up time
(bench/cli_startup.py measures the time itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from statuspage.cli import COMMANDS, cli
from statuspage.cli.group import SUMMARIES

HEAVY = (
    "starlette", "jinja2", "twilio", "aiohttp", "uvicorn", "prometheus_client", "httpx", "asyncpg",
)  # fmt: skip
PROBE = """
import json, sys
from statuspage.cli import main
heavy = json.loads(sys.argv[2])
sys.argv = ["statuspage", *json.loads(sys.argv[1])]
code = None
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}),
      file=sys.stderr)
"""


def loaded_by(
    args: list[str], heavy: tuple[str, ...], env: dict[str, str] | None = None
) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return list(report["loaded"])


def test_help_imports_no_command_and_no_heavy_library() -> None:
    modules = (*HEAVY, "babel", "yaml", "statuspage.cli.incidents", "statuspage.config")
    assert loaded_by(["--help"], modules) == []


def test_incident_list_imports_no_web_server_templates_or_channel_clients(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert loaded_by(["--db", str(db), "init"], ()) == []
    assert loaded_by(["--db", str(db), "incident", "list"], HEAVY) == []
    off = {"STATUSPAGE_COMMS_PLAN": "off"}
    assert loaded_by(["--db", str(db), "incident", "list"], HEAVY, off) == []


def test_help_lists_every_command_with_the_start_of_its_own_summary() -> None:
    ctx = click.Context(cli)
    assert set(SUMMARIES) == set(COMMANDS) == set(cli.list_commands(ctx))
    for name, summary in SUMMARIES.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        own = command.get_short_help_str(limit=1000)
        assert own.startswith(summary.removesuffix("...")), name
