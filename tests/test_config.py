from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.config import Settings, load_settings
from statuspage.errors import InvalidInput
from tests.conftest import TEST_SECRET_KEY


def test_settings_come_from_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "statuspage.toml"
    config.write_text('page_name = "From file"\ntick_interval = 2.5\ntime_zone = "Asia/Tokyo"\n')
    env = {"STATUSPAGE_CONFIG": str(config), "STATUSPAGE_TIME_ZONE": "Europe/Paris"}
    settings = load_settings(env, overrides={"db": Path("x.db"), "page_name": None})
    assert settings.page_name == "From file" and settings.tick_interval == 2.5
    assert settings.time_zone == "Europe/Paris" and settings.db == Path("x.db")


def test_secrets_are_refused_in_the_file_and_hidden_from_repr(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text('secret_key = "oops"\n')
    with pytest.raises(InvalidInput, match="secret; set it in the environment"):
        load_settings({"STATUSPAGE_CONFIG": str(config)})
    settings = load_settings({"STATUSPAGE_SECRET_KEY": TEST_SECRET_KEY})
    assert settings.secret_key == TEST_SECRET_KEY and TEST_SECRET_KEY not in repr(settings)


def test_unknown_keys_and_bad_values_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text("colour = 1\n")
    with pytest.raises(InvalidInput, match="unknown setting 'colour'"):
        load_settings({"STATUSPAGE_CONFIG": str(config)})
    with pytest.raises(InvalidInput, match="STATUSPAGE_TICK_INTERVAL"):
        load_settings({"STATUSPAGE_TICK_INTERVAL": "often"})


def test_defaults() -> None:
    assert load_settings({}) == Settings()
