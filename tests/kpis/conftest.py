"""Fixtures for the comms KPIs and the metrics: the delivery tests' plan, service and providers."""

from __future__ import annotations

from tests.comms.conftest import csvc  # noqa: F401
from tests.delivery.conftest import comms, providers  # noqa: F401
