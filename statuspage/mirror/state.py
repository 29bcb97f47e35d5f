"""Where the mirror stands: kept in memory, written to a small JSON file for the CLI
(`statuspage mirror status`), and exported on /metrics."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from statuspage.events import Clock, utcnow


@dataclass
class MirrorStatus:
    """Counts since the server started, and the revisions wanted and in the bucket."""

    target: str
    revision: int | None = None  # the newest revision fully in the bucket
    synced_at: datetime | None = None
    wanted: int | None = None  # the newest revision published here
    behind_since: datetime | None = None  # when the bucket first fell behind; None: in step
    uploads: int = 0
    deletes: int = 0
    retries: int = 0  # calls tried again
    failures: int = 0  # passes that failed after every retry
    purge_failures: int = 0
    failing: bool = False  # the last pass failed (it is being tried again)
    last_error: str = ""

    def behind_seconds(self, clock: Clock = utcnow) -> float:
        since = self.behind_since
        return 0.0 if since is None else max(0.0, (clock() - since).total_seconds())

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("synced_at", "behind_since"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> MirrorStatus:
        data: dict[str, Any] = json.loads(raw)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("synced_at", "behind_since"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


def write_status(path: Path, status: MirrorStatus) -> None:
    """Replace the status file whole (a reader never sees half of it)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(status.to_json())
    os.replace(temporary, path)


def read_status(path: Path) -> MirrorStatus | None:
    try:
        return MirrorStatus.from_json(path.read_text())
    except (OSError, ValueError, TypeError):
        return None


def metric_families(status: MirrorStatus, clock: Clock = utcnow) -> Iterator[Metric]:
    """The mirror's families for /metrics (Metrics.sources)."""
    yield GaugeMetricFamily(
        "statuspage_mirror_revision",
        "The newest published revision the bucket holds in full (-1: none yet).",
        value=-1 if status.revision is None else status.revision,
    )
    yield GaugeMetricFamily(
        "statuspage_mirror_behind_seconds",
        "Seconds since the bucket fell behind the published site (0: in step).",
        value=status.behind_seconds(clock),
    )
    for name, text, value in (
        ("uploads", "Objects uploaded to the bucket by this process.", status.uploads),
        ("deletes", "Stale objects deleted from the bucket by this process.", status.deletes),
        ("retries", "Bucket or CDN calls tried again after a failure.", status.retries),
        ("failures", "Mirror passes that failed after every retry.", status.failures),
        ("purge_failures", "CDN purges that failed after every retry.", status.purge_failures),
    ):
        yield CounterMetricFamily(f"statuspage_mirror_{name}", text, value=value)
