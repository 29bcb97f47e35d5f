"""Use cases of the comms KPIs: the report (`statuspage report`) and the metrics snapshot.

One read transaction each; the figures are worked out by the pure statuspage.kpis from the
facts statuspage.storage.reports reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from statuspage.checks.outcome import CheckResult, CheckState
from statuspage.errors import InvalidInput
from statuspage.kpis import OpenIncident, Report, Summary, build_report, open_incident
from statuspage.model import Component
from statuspage.service.context import ServiceContext
from statuspage.storage.reports import Depth, Outcomes

# The window of the KPI figures in the metrics (the report's default too).
METRICS_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class MetricsSnapshot:
    """Everything /metrics shows, read at once: the collector only formats it."""

    at: datetime
    components: tuple[Component, ...]
    open_incidents: tuple[OpenIncident, ...]
    depth: tuple[Depth, ...]
    outcomes: tuple[Outcomes, ...]
    window: tuple[Summary, ...]  # the report's severities over METRICS_WINDOW
    check_states: tuple[CheckState, ...] = ()  # each built-in check's settled state
    last_probes: tuple[CheckResult, ...] = ()  # each check's latest stored probe


class Reports:
    """The comms report and the metrics snapshot."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def comms_report(self, since: datetime) -> Report:
        """The comms KPIs of the incidents declared since `since` (see statuspage.kpis)."""
        now = self.ctx.now()
        if since > now:
            raise InvalidInput("--since must be in the past")
        async with self.ctx.read() as q:
            page = await q.get_page()
            facts = await q.kpi_facts(since)
            reached = await q.reached_by_severity(since)
        tz = page.time_zone if page else "UTC"
        return build_report(facts, reached, since=since, now=now, time_zone=tz)

    async def metrics_snapshot(self, checks: Sequence[str] = ()) -> MetricsSnapshot:
        """What /metrics shows, in one read transaction; `checks`: the names of the built-in
        checks the automation file defines (a removed check's stored state is not shown)."""
        now = self.ctx.now()
        since = now - METRICS_WINDOW
        async with self.ctx.read() as q:
            components = await q.list_components()
            opened = await q.kpi_facts(None, open_only=True, with_messages=False)
            depth = await q.outbox_depth()
            outcomes = await q.outbox_outcomes()
            facts = await q.kpi_facts(since, with_messages=False)  # not among the metrics
            states = await q.list_check_states()
            probes = await q.latest_check_results(checks)
        report = build_report(facts, {}, since=since, now=now, time_zone="UTC")
        return MetricsSnapshot(
            at=now,
            components=tuple(components),
            open_incidents=tuple(open_incident(f, now) for f in opened),
            depth=tuple(depth),
            outcomes=tuple(outcomes),
            window=report.severities,
            check_states=tuple(states[name] for name in sorted(states) if name in checks),
            last_probes=tuple(probes[name] for name in sorted(probes)),
        )
