"""Every setting is checked at start: a value out of range is refused in one line that names
the variable, the value (never a secret's) and what it accepts, with exit code 2."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from statuspage.config import RULES, Settings, load_settings
from statuspage.errors import InvalidInput

SECONDS = ["nan", "inf", "-inf", "-1", "0", "soon"]
COUNT = ["-1", "1.5", "nan", "1e3", "99999999999", "lots"]
FLAG = ["maybe", "2", "", "yess"]
URL = ["ftp://acme.example", "not a url", "https://", "http://acme.example:99999"]
EMAIL = ["nobody", "a@b", "two@ words.example"]
TEXT = ["line\x1bescape", "line\nbreak"]
TOKEN = ["with space", "esc\x1b"]

# Bad values for every setting; test_every_setting_has_bad_values_here keeps it complete.
BAD: dict[str, list[str]] = {
    "db": [""],
    "tick_interval": SECONDS,
    "poll_interval": [*SECONDS, "0.001", "86400"],
    "time_zone": ["Mars/Olympus_Mons", "", "UTC+2"],
    "page_name": ["", "   ", "x" * 201, *TEXT],
    "public_url": [*URL, ""],
    "contact_email": EMAIL,
    "contact_url": URL,
    "security_contact": ["nobody", "ftp://x.example", "mailto:"],
    "social_url": URL,
    "social_handle": ["x" * 101, *TEXT],
    "cache_max_age": [*COUNT, "31536001"],
    "cache_stale_while_revalidate": COUNT,
    "cache_stale_if_error": COUNT,
    "access_log": FLAG,
    "fast_path": FLAG,
    "secret_key": ["x", "a" * 64, "ab" * 32],
    "api_rate_limit": ["nan", "inf", "-1", "often"],
    "api_rate_burst": [*COUNT, "0"],
    "comms_plan": TEXT,
    "automation": TEXT,
    "alerts_hmac_secret": ["x", "a" * 64, "ab" * 32],
    "sms_rate": SECONDS,
    "sms_warn_after": SECONDS,
    "dispatcher": FLAG,
    "dispatch_lease": [*SECONDS, "0.5"],
    "dispatch_poll": SECONDS,
    "dispatch_max_attempts": [*COUNT, "0"],
    "dispatch_backoff": SECONDS,
    "dispatch_backoff_max": [*SECONDS, "10"],  # below DISPATCH_BACKOFF (30)
    "dispatch_reconcile_after": SECONDS,
    "smtp_host": TOKEN,
    "smtp_port": ["-1", "0", "65536", "nan", "smtp"],
    "smtp_security": ["ssl", "", "maybe"],
    "smtp_user": TEXT,
    "smtp_password": TEXT,
    "smtp_from": ["Acme Status", "<nobody>", *TEXT],
    "smtp_timeout": SECONDS,
    "smtp_ca_file": TEXT,
    "email_unsubscribe_mailto": EMAIL,
    "email_rate": SECONDS,
    "email_concurrency": [*COUNT, "0"],
    "twilio_account_sid": TOKEN,
    "twilio_auth_token": TOKEN,
    "twilio_messaging_service_sid": TOKEN,
    "twilio_from": TEXT,
    "twilio_api_url": URL,
    "sms_concurrency": [*COUNT, "0"],
    "sms_validity": [*COUNT, "0", "36001"],
    "webhook_secret": ["secret", "whsec_!!!", "whsec_YWJj"],
    "webhook_timeout": SECONDS,
    "webhook_rate": SECONDS,
    "webhook_concurrency": [*COUNT, "0"],
    "webhook_allow_http": FLAG,
    "webhook_allow_private": FLAG,
    "slack_rate": SECONDS,
    "slack_concurrency": [*COUNT, "0"],
    "mastodon_url": URL,
    "mastodon_token": TOKEN,
    "bluesky_url": [*URL, ""],
    "bluesky_handle": TOKEN,
    "bluesky_app_password": TOKEN,
    "social_rate": SECONDS,
    "subscribe_channels": ["pager", "email,fax"],
    "subscribe_confirm_ttl": [*SECONDS, "0.001"],
    "subscribe_code_ttl": SECONDS,
    "subscribe_code_attempts": [*COUNT, "0"],
    "subscribe_pending_cap": [*COUNT, "0"],
    "subscribe_rate_ip": [*COUNT, "0"],
    "subscribe_rate_address": [*COUNT, "0"],
    "subscribe_confirm_rate_ip": [*COUNT, "0"],
    "sms_default_country": ["XX", "USA", "", "1"],
    "sms_countries": ["US,XX", "ZZ", "usa"],
    "metrics": ["on", "", "bearer", "yes"],
    "metrics_host": ["", "with space", "esc\x1b", "x" * 254],
    "metrics_port": ["0", "65536", "-1", "nan", "metrics"],
    "check_concurrency": [*COUNT, "0", "1001"],
    "check_retention_days": [*COUNT, "0", "3651"],
    "mirror": ["https://bucket.example", "s3://", "s3://B", "s3://bucket/a b", "s3://x?y=1"],
    "mirror_encoding": ["br", "", "gz"],
    "mirror_attempts": [*COUNT, "0", "101"],
    "mirror_backoff": [*SECONDS, "3601"],
    "mirror_backoff_max": [*SECONDS, "86401"],
    "mirror_concurrency": [*COUNT, "0", "257"],
    "cdn_purge_url": [*URL, "https://cdn.example/purge"],
    "cdn_purge_method": ["get", "", "delete"],
    "cloudflare_zone": TOKEN,
    "cloudflare_token": TOKEN,
    "cloudflare_api_url": [*URL, ""],
}
SECRETS = {f.name for f in dataclasses.fields(Settings) if f.metadata.get("secret")}
CASES = [(name, value) for name, values in BAD.items() for value in values]


def variable(name: str) -> str:
    return f"STATUSPAGE_{name.upper()}"


def test_every_setting_has_bad_values_here_and_a_rule_in_the_table() -> None:
    assert set(BAD) == {f.name for f in dataclasses.fields(Settings)} == set(RULES)


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v[:12]!r}" for n, v in CASES])
def test_a_setting_out_of_its_range_is_refused_in_one_line_by_the_cli(
    tmp_path: Path, name: str, value: str
) -> None:
    env = {"STATUSPAGE_COMMS_PLAN": "off", variable(name): value}
    db = ["--db", value] if name == "db" else ["--db", str(tmp_path / "s.db")]
    result = CliRunner(env=env).invoke(cli, [*db, "incident", "list"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {variable(name)} must be "), line
    if name in SECRETS:  # the length is shown, never the value
        assert line.endswith(f"(got a value of {len(value)} character{'s' * (len(value) > 1)})")
        assert len(value) < 4 or value not in line
    elif name != "db":
        shown = value if len(value) <= 80 else value[:77] + "..."
        assert line.endswith(f"(got {json.dumps(shown, ensure_ascii=False)})"), line


@pytest.mark.parametrize("name", ["poll_interval", "tick_interval", "dispatch_poll"])
def test_intervals_that_are_not_finite_numbers_are_refused_with_the_range(name: str) -> None:
    for raw in ("nan", "inf", "-inf"):
        with pytest.raises(InvalidInput) as refused:
            load_settings({variable(name): raw})
        assert str(refused.value).endswith(f'(got "{raw}")')
        assert "between" in str(refused.value)


def test_the_poll_interval_message_names_its_range() -> None:
    with pytest.raises(InvalidInput) as refused:
        load_settings({"STATUSPAGE_POLL_INTERVAL": "nan"})
    assert str(refused.value) == (
        'STATUSPAGE_POLL_INTERVAL must be a number of seconds between 0.01 and 3600 (got "nan")'
    )


@pytest.mark.parametrize("raw", ["TRUE", "yes", "On", "1"])
def test_documented_spellings_of_true_are_accepted(raw: str) -> None:
    assert load_settings({"STATUSPAGE_ACCESS_LOG": raw}).access_log is True


@pytest.mark.parametrize("raw", ["FALSE", "no", "Off", "0"])
def test_documented_spellings_of_false_are_accepted(raw: str) -> None:
    assert load_settings({"STATUSPAGE_DISPATCHER": raw}).dispatcher is False


def test_values_at_the_edges_of_their_ranges_are_accepted() -> None:
    settings = load_settings(
        {"STATUSPAGE_SMTP_PORT": "65535", "STATUSPAGE_POLL_INTERVAL": "0.01",
         "STATUSPAGE_API_RATE_LIMIT": "0", "STATUSPAGE_SMS_COUNTRIES": "us, ca",
         "STATUSPAGE_SMS_DEFAULT_COUNTRY": "gb", "STATUSPAGE_CACHE_MAX_AGE": "0"}
    )  # fmt: skip
    assert (settings.smtp_port, settings.poll_interval, settings.api_rate_limit) == (65535, 0.01, 0)
    assert settings.sms_country_list() == ("US", "CA") and settings.sms_default_country == "GB"


def test_the_settings_file_is_held_to_the_same_ranges(tmp_path: Path) -> None:
    config = tmp_path / "statuspage.toml"
    config.write_text("smtp_port = -1\n")
    with pytest.raises(InvalidInput, match=r'STATUSPAGE_SMTP_PORT must be a port number between'
                       r' 1 and 65535 \(got "-1"\)'):  # fmt: skip
        load_settings({"STATUSPAGE_CONFIG": str(config)})
    config.write_text("access_log = 3\n")
    with pytest.raises(InvalidInput, match="STATUSPAGE_ACCESS_LOG must be true or false"):
        load_settings({"STATUSPAGE_CONFIG": str(config)})


def test_settings_made_in_code_are_held_to_the_same_ranges() -> None:
    with pytest.raises(InvalidInput, match="STATUSPAGE_POLL_INTERVAL"):
        Settings(poll_interval=float("nan"))
    with pytest.raises(InvalidInput, match="STATUSPAGE_SMTP_PORT"):
        Settings().replace(smtp_port=0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("name", "value"), [("poll_interval", "nan"), ("smtp_port", "-1"), ("access_log", "maybe")]
)
def test_serve_refuses_a_bad_setting_in_one_line_and_exits(
    tmp_path: Path, name: str, value: str
) -> None:
    db = tmp_path / "s.db"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    environ["STATUSPAGE_COMMS_PLAN"] = "off"
    command = [sys.executable, "-m", "statuspage.cli", "--db", str(db)]
    assert subprocess.run([*command, "init"], env=environ, timeout=30).returncode == 0
    result = subprocess.run(
        [*command, "serve", "--port", str(free_port())],
        env={**environ, variable(name): value}, capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {variable(name)} must be ") and f'(got "{value}")' in line
