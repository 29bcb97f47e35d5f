"""A signal: one alert's state as its source reports it, whatever the source.

Alertmanager, Grafana and the generic hook each become signals; so does each change of a
built-in check's state (source "check", fingerprint "check:NAME": statuspage.checks.signals).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

ALERTNAME = "alertname"
SEVERITY = "severity"


@dataclass(frozen=True)
class Signal:
    """One alert: firing or resolved, with its labels; `fingerprint` tells alerts apart."""

    source: str  # alertmanager, grafana, generic, check
    fingerprint: str
    labels: Mapping[str, str]
    firing: bool
    severity: str = ""
    summary: str = ""
    at: datetime | None = None  # when it started firing (or ended), as the source says
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.labels.get(ALERTNAME, "")


def fingerprint_of(labels: Mapping[str, str]) -> str:
    """A stable id for an alert that came without one: a hash of its sorted labels."""
    text = json.dumps(sorted(labels.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
