"""The CLI in remote mode against a live server on loopback: same output, same exit codes."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statuspage.cli import cli
from tests.admin.conftest import INIT, Run, serving
from tests.conftest import TEST_SECRET_KEY, dump

# Parity is about the core commands: both sides run without a comms plan (whose extra
# lines, due times and approvals, only the server's own CLI shows).
NO_PLAN = {"STATUSPAGE_COMMS_PLAN": "off"}


@pytest.fixture
def local(tmp_path: Path) -> Run:
    db = tmp_path / "local.db"
    # With a key, as a server would have: local `subscribers add` warns without one.
    runner = CliRunner(env={**NO_PLAN, "STATUSPAGE_SECRET_KEY": TEST_SECRET_KEY})
    assert runner.invoke(cli, ["--db", str(db), *INIT]).exit_code == 0

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", str(db), *args])

    return run


def scenario(run: Run, tmp_path: Path) -> list[tuple[int, str, str]]:
    """Every component, group, page, incident and maintenance command, good and bad."""
    results: list[Result] = []

    def go(*args: str) -> Result:
        results.append(run(*args))
        return results[-1]

    def new_id(*args: str) -> str:
        result = go(*args, "--json")
        assert result.exit_code == 0, result.output + result.stderr
        return str(json.loads(result.output)["id"])

    postmortem = tmp_path / "pm.md"
    postmortem.write_text("## Root cause\n\nA bad deploy.")
    go("group", "add", "Core", "--description", "What everyone uses")
    go("component", "add", "API", "--group", "Core", "--description", "REST API")
    go("component", "add", "Web")
    go("component", "add", "API")
    go("component", "list")
    go("component", "list", "--json")
    go("group", "list")
    go("group", "list", "--json")
    go("component", "set", "api", "major_outage")
    go("component", "set", "Nope", "operational")
    go("component", "set", "Web", "broken")
    incident = new_id(
        "incident",
        "declare",
        "API errors",
        "--impact",
        "major",
        "--component",
        "API",
        "--component",
        "Web=degraded_performance",
        "-m",
        "Looking into it.",
    )
    go("incident", "declare", "X", "-m", "m")
    go("incident", "declare", "", "--impact", "minor", "-m", "m")
    go(
        "incident",
        "declare",
        "X",
        "--impact",
        "minor",
        "--component",
        "API",
        "--component",
        "api",
        "-m",
        "m",
    )
    go(
        "incident",
        "update",
        incident,
        "--status",
        "identified",
        "-m",
        "Found it.",
        "--component",
        "API=partial_outage",
    )
    go("incident", "update", incident, "-m", "Still on it.", "--component", "Web")
    go("incident", "update", incident, "-m", "Same status again.")
    go("incident", "show", incident)
    go("incident", "list")
    go("incident", "list", "--open", "--json")
    go("incident", "resolve", incident, "-m", "Fixed.")
    go("incident", "update", incident, "-m", "again")
    go("incident", "postmortem", incident, "--file", str(postmortem), "--publish")
    go("incident", "show", incident, "--json")
    go("incident", "show", "nope12345678")
    go(
        "incident",
        "backfill",
        "Old outage",
        "--impact",
        "critical",
        "--component",
        "API",
        "--started",
        "2026-01-05T09:00:00Z",
        "--resolved",
        "2026-01-05T10:00:00Z",
        "-m",
        "It broke.",
    )
    window = new_id(
        "maintenance",
        "schedule",
        "Upgrade",
        "--start",
        "+1h",
        "--end",
        "+2h",
        "--component",
        "API",
        "-m",
        "Planned.",
    )
    go("maintenance", "complete", window)
    go("maintenance", "start", window)
    go("maintenance", "cancel", window)
    go("maintenance", "verify", window, "-m", "Checking.")
    go("maintenance", "complete", window, "-m", "Done.")
    later = new_id(
        "maintenance", "schedule", "Later", "--start", "+1d", "--end", "+2d", "--component", "Web"
    )
    go("maintenance", "cancel", later)
    go("maintenance", "list")
    go("maintenance", "list", "--open", "--json")
    go("incident", "show", later)
    go("incident", "update", window, "-m", "x")
    go("maintenance", "start", incident)
    go("page", "show")
    go("page", "set", "--name", "Acme Status")
    go("page", "set", "--time-zone", "Mars/Base")
    go("page", "show", "--json")
    go("group", "remove", "Core")
    go("group", "remove", "Core", "--ungroup")
    go("component", "remove", "Web")
    go("component", "list")
    return [(r.exit_code, normalize(r.stdout), normalize(r.stderr)) for r in results]


_ID = re.compile(r"\b[a-z0-9]{12}\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z| [A-Z]{3,4})?")
_SPAN = re.compile(r"(in )?\d+(s|\smin|h \d\dm|d \d+h)( ago)?")


def normalize(text: str) -> str:
    """Ids, times and "ago" spans differ between two pages; everything else must not.

    Affected components of one update are sorted: resolving lists them in component-id
    order, and ids are random (the same on both sides of one page, not across two pages).
    """
    text = _sorted_json(text)
    seen: dict[str, str] = {}
    text = _ID.sub(lambda m: seen.setdefault(m.group(0), f"<id{len(seen)}>"), text)
    text = _SPAN.sub("<span>", _TIME.sub("<time>", text))
    return re.sub(
        r"(?:^    · .*\n)+",
        lambda m: "".join(sorted(m.group(0).splitlines(True))),
        text,
        flags=re.M,
    )


def test_remote_commands_print_what_local_commands_print(
    local: Run, remote: Run, tmp_path: Path
) -> None:
    here, there = scenario(local, tmp_path), scenario(remote, tmp_path)
    assert len(here) == len(there) == 48
    for step, (mine, theirs) in enumerate(zip(here, there, strict=True)):
        assert mine == theirs, f"step {step}"
    codes = [code for code, _, _ in here]
    assert codes.count(2) == 15 and set(codes) == {0, 2}
    errors = [err for code, _, err in here if code == 2]
    assert all(e.startswith("error: ") and e.count("\n") == 1 for e in errors)


def test_remote_writes_are_audited_with_the_key_and_the_address(
    remote: Run, server_db: Path
) -> None:
    assert remote("component", "add", "API").exit_code == 0
    audit = CliRunner().invoke(cli, ["--db", str(server_db), "audit", "--limit", "1"])
    head = audit.output.splitlines()[0]
    assert "oncall via api (127.0.0.1)  POST /v1/pages/{page_id}/components" in head


def test_a_server_that_cannot_be_reached_is_one_line_and_exit_2() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--server", "http://127.0.0.1:9", "component", "list"], env={"STATUSPAGE_TOKEN": "x"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot reach http://127.0.0.1:9")
    assert result.stderr.endswith(
        "; is `statuspage serve` running there?"
        " (the URL comes from --server or STATUSPAGE_SERVER)\n"
    )
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("status.acme.example", "https://status.acme.example"),
        ("htps://status.acme.example", "https://status.acme.example"),
    ],
)
def test_a_server_url_without_its_scheme_is_refused_with_the_url_it_means(
    given: str, meant: str
) -> None:
    result = CliRunner().invoke(
        cli, ["--server", given, "incident", "list"], env={"STATUSPAGE_TOKEN": "x"}
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: --server {given!r} is not a URL; did you mean {meant!r}? "
        "(give the scheme: http:// or https://)\n"
    )


def test_refusals_by_the_server_are_one_line_and_exit_2(remote: Run, server_db: Path) -> None:
    wrong = remote("component", "list", token="sp_aaaaaaaaaaaa_" + "A" * 43)
    assert (wrong.exit_code, wrong.stderr) == (
        2,
        "error: invalid API key (check STATUSPAGE_TOKEN)\n",
    )
    made = CliRunner().invoke(
        cli, ["--db", str(server_db), "token", "create", "viewer", "--scope", "read", "--json"]
    )
    reader = json.loads(made.output)["key"]
    assert remote("component", "list", token=reader).exit_code == 0
    denied = remote("component", "add", "X", token=reader)
    assert (denied.exit_code, denied.stderr) == (
        2,
        "error: this key has scope read; this request needs write\n",
    )
    assert remote("component", "list").exit_code == 0  # the key's first use is stamped
    before = dump(server_db)
    bad = remote("incident", "declare", "T", "--impact", "minor", "--component", "Nope", "-m", "m")
    assert bad.exit_code == 2 and "unknown component 'Nope'" in bad.stderr
    assert dump(server_db) == before


def test_a_missing_token_and_local_only_commands_are_refused(remote: Run) -> None:
    missing = remote("component", "list", token="")
    assert missing.exit_code == 2 and "set STATUSPAGE_TOKEN" in missing.stderr
    for command in (["init"], ["tick"], ["token", "list"], ["audit"], ["serve"]):
        refused = remote(*command)
        assert refused.exit_code == 2 and "works on the local database only" in refused.stderr


def test_an_answer_that_is_not_the_api_is_one_clear_line() -> None:
    class Html(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>Bad Gateway</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Html)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        result = CliRunner().invoke(
            cli, ["--server", url, "page", "show"], env={"STATUSPAGE_TOKEN": "x"}
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 2
    assert result.stderr == f"error: {url} answered 502 Bad Gateway; is it a statuspage server?\n"


def _sorted_json(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text

    def walk(node: object) -> object:
        if isinstance(node, dict):
            return {
                k: sorted(v, key=lambda a: a["name"])
                if k == "affected_components" and v
                else walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return json.dumps(walk(value), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("per_minute", "exit_code", "stderr"),
    [
        (60, 0, ""),  # a 1 s wait is waited out, and the command succeeds
        (1, 2, "error: the server's rate limit: try again in 60 s\n"),
    ],
)
def test_the_remote_cli_waits_out_a_short_rate_limit_only(
    server_db: Path, per_minute: int, exit_code: int, stderr: str
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(server_db), *INIT]).exit_code == 0
    made = runner.invoke(cli, ["--db", str(server_db), "token", "create", "bot", "--json"])
    env = {"STATUSPAGE_TOKEN": json.loads(made.output)["key"]}
    with serving(server_db, api_rate_limit=per_minute, api_rate_burst=1) as url:
        result = runner.invoke(cli, ["--server", url, "component", "list"], env=env)
    assert (result.exit_code, result.stderr) == (exit_code, stderr)


def test_a_remote_declare_with_a_severity_follows_the_server_s_plan(server_db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(server_db), *INIT]).exit_code == 0
    assert runner.invoke(cli, ["--db", str(server_db), "component", "add", "API"]).exit_code == 0
    made = runner.invoke(
        cli, ["--db", str(server_db), "token", "create", "oncall", "--scope", "write", "--json"]
    )
    env = {"STATUSPAGE_TOKEN": json.loads(made.output)["key"]}
    with serving(server_db) as url:
        declared = runner.invoke(
            cli,
            [
                "--server",
                url,
                "incident",
                "declare",
                "Checkout down",
                "--severity",
                "SEV1",
                "--component",
                "API",
                "-m",
                "We are investigating. Next update in 30 minutes.",
                "--json",
            ],
            env=env,
        )
        assert declared.exit_code == 0, declared.stderr
        body = json.loads(declared.output)
        assert body["impact"] == "critical"
        raised = runner.invoke(
            cli,
            [
                "--server",
                url,
                "incident",
                "update",
                body["id"],
                "--severity",
                "SEV3",
                "-m",
                "Impact is smaller than feared. Next update in 60 minutes.",
                "--json",
            ],
            env=env,
        )
        assert raised.exit_code == 0, raised.stderr
        assert json.loads(raised.output)["impact"] == "minor"
        refused = runner.invoke(
            cli,
            [
                "--server",
                url,
                "incident",
                "declare",
                "X",
                "--component",
                "API",
                "-m",
                "m",
                "--dry-run",
            ],
            env=env,
        )
        assert refused.exit_code == 2 and "--dry-run previews against the local" in refused.stderr
        local_only = runner.invoke(cli, ["--server", url, "comms", "preview", body["id"]], env=env)
        assert local_only.exit_code == 2 and "local database only" in local_only.stderr


HOOK = "https://hooks.example.com/status"
CSV = """channel,address,components,tags
email,good@example.com,API,enterprise;eu
email,not an address,,
sms,+1 415 555 0199,Nope,
sms,+14155550188,,
"""


def subscriber_scenario(run: Run, tmp_path: Path) -> list[tuple[int, str, str]]:
    """Every subscriber command, good and bad (and what export writes to its file)."""
    results: list[tuple[int, str, str]] = []

    def go(*args: str) -> None:
        r = run(*args)
        results.append((r.exit_code, normalize(r.stdout), normalize(r.stderr)))

    given, written = tmp_path / "in.csv", tmp_path / "out.csv"
    given.write_text(CSV)
    go("component", "add", "API")
    go("component", "add", "Web")
    go("subscribers", "add", "email", "Ann@Example.com", "--component", "API", "--tag", "eu")
    go("subscribers", "add", "sms", "(415) 555-0123", "--country", "US", "--skip-confirmation")
    go("subscribers", "add", "webhook", HOOK, "--tag", "vip", "--json")
    go("subscribers", "add", "email", "ann@example.com")
    go("subscribers", "add", "email", "not-an-address")
    go("subscribers", "add", "email", "bob@example.com", "--component", "Nope")
    go("subscribers", "add", "webhook", "http://hooks.example.com/x")
    go("subscribers", "add", "sms", "12", "--country", "US")
    go("subscribers", "list")
    go("subscribers", "list", "--json")
    go("subscribers", "list", "--component", "Web")
    go("subscribers", "list", "--tag", "vip", "--state", "pending")
    go("subscribers", "list", "--channel", "sms", "--state", "active")
    go("subscribers", "list", "--component", "Nope")
    go("subscribers", "show", "ann@example.com")
    go("subscribers", "show", HOOK, "--json")
    go("subscribers", "show", "nobody@example.com")
    go("subscribers", "tag", "ann@example.com", "vip", "enterprise")
    go("subscribers", "untag", "ann@example.com", "eu")
    go("subscribers", "tag", "ann@example.com", "no spaces")
    go("subscribers", "tag", HOOK, "eu")
    go("subscribers", "count")
    go("subscribers", "count", "--state", "all", "--json")
    go("subscribers", "count", "--tag", "vip", "--state", "pending")
    go("subscribers", "count", "--component", "Nope")
    go("subscribers", "import", str(given))
    go("subscribers", "import", str(given), "--skip-confirmation")
    go("subscribers", "export", "-")
    go("subscribers", "export", str(written))
    results.append((0, normalize(written.read_text()), ""))
    go("subscribers", "export", "--id", "ann@example.com")
    go("subscribers", "export", "--id", "nobody@example.com")
    go("subscribers", "remove", "ann@example.com")
    go("subscribers", "remove", "ann@example.com")
    go("subscribers", "remove", "nobody@example.com")
    go("subscribers", "list", "--state", "unsubscribed")
    go("subscribers", "delete", "--id", "+14155550123", "--yes")
    go("subscribers", "delete", "--id", "+14155550123", "--yes")
    go("subscribers", "list")
    return results


def test_remote_subscriber_commands_print_what_local_ones_print(
    local: Run, remote: Run, tmp_path: Path
) -> None:
    here, there = subscriber_scenario(local, tmp_path), subscriber_scenario(remote, tmp_path)
    assert len(here) == len(there) == 41
    for step, (mine, theirs) in enumerate(zip(here, there, strict=True)):
        assert mine == theirs, f"step {step}"
    codes = [code for code, _, _ in here]
    assert (codes.count(0), codes.count(1), codes.count(2)) == (27, 2, 12)
    errors = [err for code, _, err in here if code == 2]
    assert all(e.startswith("error: ") and e.count("\n") == 1 for e in errors)
    assert "good@example.com" in here[31][1] and "+14155550188" in here[31][1]  # the file


def test_remote_subscriber_commands_need_an_admin_key(remote: Run, server_db: Path) -> None:
    made = CliRunner().invoke(
        cli, ["--db", str(server_db), "token", "create", "writer", "--scope", "write", "--json"]
    )
    writer = json.loads(made.output)["key"]
    assert remote("component", "list", token=writer).exit_code == 0  # first use is stamped
    before = dump(server_db)
    for args in (["list"], ["add", "email", "ann@example.com"], ["count"], ["export", "-"]):
        refused = remote("subscribers", *args, token=writer)
        assert (refused.exit_code, refused.stdout, refused.stderr) == (
            2,
            "",
            "error: this key has scope write; this request needs admin\n",
        )
    assert dump(server_db) == before


def test_templates_and_status_words_work_remotely_as_locally(local: Run, remote: Run) -> None:
    def scenario(run: Run) -> list[tuple[int, str, str]]:
        steps = [
            ("component", "add", "API"),
            ("component", "add", "Web"),
            ("component", "set", "API", "partial outage"),
            ("component", "set", "Web", "Degraded"),
            ("component", "set", "Web", "parital"),
            ("template", "add", "api", "--title", "API errors", "-m", "Looking into it.",
             "--component", "API", "--status", "Identified"),
            ("template", "add", "api", "--title", "T", "-m", "B"),
            ("template", "list"),
            ("template", "show", "api", "--json"),
            ("incident", "declare", "--template", "api", "--impact", "Maj"),
            ("incident", "declare", "--template", "nope", "--impact", "minor"),
            ("incident", "list"),
            ("template", "remove", "api"),
            ("template", "list"),
        ]  # fmt: skip
        results = [run(*step) for step in steps]
        return [(r.exit_code, normalize(r.stdout), normalize(r.stderr)) for r in results]

    here, there = scenario(local), scenario(remote)
    assert here == there
    assert [code for code, _, _ in here] == [0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 2, 0, 0, 0]
    assert "Partial Outage" in here[2][1] and "did you mean 'partial_outage'?" in here[4][2]
    assert "API errors" in here[9][1] and "Identified" in here[9][1]


def test_auto_works_remotely_as_locally(local: Run, remote: Run) -> None:
    """README: `component set NAME auto` also with `--server` (the Manage API takes `auto`)."""

    def scenario(run: Run) -> list[tuple[int, str, str]]:
        steps = [
            ("component", "add", "API"),
            ("component", "set", "API", "major outage"),
            ("component", "set", "API", "Auto"),
            ("component", "show", "API"),
        ]
        results = [run(*step) for step in steps]
        return [(r.exit_code, normalize(r.stdout), normalize(r.stderr)) for r in results]

    here, there = scenario(local), scenario(remote)
    assert here == there
    assert [code for code, _, _ in here] == [0, 0, 0, 0]
    assert "API is now ✔ Operational." in here[2][1]
