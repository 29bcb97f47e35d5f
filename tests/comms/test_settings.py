"""The comms settings: which plan, and the SMS sender's throughput."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuspage.comms.kit import plan_path
from statuspage.config import load_settings
from statuspage.errors import InvalidInput
from statuspage.resources import DEFAULT_PLAN


def test_the_plan_is_the_shipped_default_unless_named_or_off(tmp_path: Path) -> None:
    assert plan_path(load_settings({})) == DEFAULT_PLAN
    named = tmp_path / "plan.yaml"
    assert plan_path(load_settings({"STATUSPAGE_COMMS_PLAN": str(named)})) == named
    assert plan_path(load_settings({"STATUSPAGE_COMMS_PLAN": "off"})) is None


def test_the_sms_rate_must_be_positive() -> None:
    assert load_settings({"STATUSPAGE_SMS_RATE": "3"}).sms_rate == 3.0
    with pytest.raises(
        InvalidInput, match="STATUSPAGE_SMS_RATE must be a number of messages a second above 0 "
    ):
        load_settings({"STATUSPAGE_SMS_RATE": "0"})
