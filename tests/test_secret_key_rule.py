"""STATUSPAGE_SECRET_KEY signs subscriber links and derives SMS codes: a weak key is refused at
start, saying how to make one (`statuspage secret generate`), and never shown."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statuspage.cli import cli
from statuspage.config import load_settings
from statuspage.setting_rules import generate_key, key_bits, strong_key

WEAK = {
    "short": "x",
    "31 random characters": "Zq8vR2mN5tL0wX7yB4cK9jH3fD6gS1e",
    "one character repeated": "a" * 64,
    "two characters alternating": "ab" * 32,
    "few different characters": "0123456789" * 5,
    "16 characters repeated": "abcdefghijklmnop" * 4,
}


def invoke(tmp_path: Path, key: str, *args: str) -> Result:
    env = {"STATUSPAGE_COMMS_PLAN": "off", "STATUSPAGE_SECRET_KEY": key}
    return CliRunner(env=env).invoke(cli, ["--db", str(tmp_path / "s.db"), *args])


@pytest.mark.parametrize("key", WEAK.values(), ids=WEAK.keys())
def test_a_weak_secret_key_is_refused_at_start_without_showing_it(tmp_path: Path, key: str) -> None:
    result = invoke(tmp_path, key, "init")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: STATUSPAGE_SECRET_KEY must be ")
    assert "make one with `statuspage secret generate`" in line
    assert len(key) < 4 or key not in line
    assert not (tmp_path / "s.db").exists()


def test_a_low_entropy_key_of_64_characters_is_refused() -> None:
    assert key_bits("a" * 64) == 0
    assert not strong_key("a" * 64)


def test_secret_generate_prints_a_key_the_settings_accept(tmp_path: Path) -> None:
    made = CliRunner().invoke(cli, ["secret", "generate"])
    assert made.exit_code == 0
    key = made.stdout.strip()
    assert len(key) == 64 and made.stdout == key + "\n"
    assert load_settings({"STATUSPAGE_SECRET_KEY": key}).secret_key == key
    assert invoke(tmp_path, key, "init").exit_code == 0
    assert CliRunner().invoke(cli, ["secret", "generate"]).stdout.strip() != key


def test_secret_generate_works_while_the_key_set_is_weak() -> None:
    made = CliRunner(env={"STATUSPAGE_SECRET_KEY": "x"}).invoke(cli, ["secret", "generate"])
    assert made.exit_code == 0 and strong_key(made.stdout.strip())


def test_a_thousand_generated_keys_are_all_accepted() -> None:
    assert all(strong_key(generate_key()) for _ in range(1000))
    assert all(strong_key(secrets.token_hex(32)) for _ in range(1000))


def test_keys_made_the_usual_ways_are_accepted() -> None:
    for key in (
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",  # hex, 256 bits
        "kJ3x9Qm2Lp8Vz5Rt7Wc1Yb4Nf6Hd0Gs2Ae8Uo5Ii3",  # base62, 41 characters
    ):
        assert strong_key(key), key


def test_an_empty_key_still_means_subscriptions_are_off() -> None:
    assert load_settings({"STATUSPAGE_SECRET_KEY": ""}).secret_key == ""


def test_serve_refuses_a_weak_key_without_showing_it(tmp_path: Path) -> None:
    key = "hunter2-hunter2-hunter2-hunter2-hunter2"  # long, but 9 different characters
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATUSPAGE_")}
    environ |= {"STATUSPAGE_COMMS_PLAN": "off", "STATUSPAGE_SECRET_KEY": key}
    result = subprocess.run(
        [sys.executable, "-m", "statuspage.cli", "--db", str(tmp_path / "s.db"), "serve"],
        env=environ, capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: STATUSPAGE_SECRET_KEY must be ")
    assert "hunter2" not in result.stderr + result.stdout
