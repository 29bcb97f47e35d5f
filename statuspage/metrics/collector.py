"""The metric families: a prometheus_client Collector over one MetricsSnapshot.

Nothing is kept between scrapes but the publish-duration histogram (this process's
publishes); everything else is read from the database at scrape time, so counters survive
restarts and every server process answers the same. The README's "Metrics" section lists
every family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client import Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from statuspage.checks.outcome import Outcome
from statuspage.kpis import OpenIncident
from statuspage.model import ComponentStatus
from statuspage.service.reports import METRICS_WINDOW, MetricsSnapshot

# More metric families, collected at each scrape after ours: the object-storage mirror adds
# its own here (Metrics.sources).
Source = Callable[[], Iterable[Metric]]

# Seconds: a small page publishes in milliseconds, a large one in a second or two.
PUBLISH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OUTCOMES = ("sent", "delivered", "failed", "superseded", "cancelled")
NONE = "none"  # the severity label of an incident without one


class PublishTimes:
    """How long each publish took in this process: fed by the Publisher after each one."""

    def __init__(self) -> None:
        self.histogram = Histogram(
            "statuspage_publish_duration_seconds",
            "Time to read a snapshot and rebuild the published site, in this process.",
            buckets=PUBLISH_BUCKETS,
            registry=None,
        )

    def observe(self, seconds: float) -> None:
        self.histogram.observe(seconds)


class SnapshotCollector(Collector):
    """Formats one snapshot (and the publish times and extra sources) as metric families."""

    def __init__(
        self, snap: MetricsSnapshot, publish: PublishTimes, sources: Sequence[Source] = ()
    ) -> None:
        self.snap = snap
        self.publish = publish
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        yield self._components()
        yield from self._incidents()
        yield from self._outbox()
        yield from self._window()
        yield from self._checks()
        yield from self.publish.histogram.collect()
        for source in self.sources:
            yield from source()

    def _components(self) -> Metric:
        family = GaugeMetricFamily(
            "statuspage_component_status",
            "1 for the component's current status, 0 for the others (one series per status).",
            labels=["component", "component_id", "status"],
        )
        for c in self.snap.components:
            for status in ComponentStatus:
                family.add_metric([c.name, c.id, status.value], float(c.status is status))
        return family

    def _incidents(self) -> Iterator[Metric]:
        opened = GaugeMetricFamily(
            "statuspage_open_incidents", "Open incidents by severity.", labels=["severity"]
        )
        counts: dict[str, int] = {s.severity or NONE: 0 for s in self.snap.window}
        for o in self.snap.open_incidents:
            key = o.facts.severity or NONE
            counts[key] = counts.get(key, 0) + 1
        for severity, n in sorted(counts.items()):
            opened.add_metric([severity], n)
        yield opened
        yield from _per_incident(self.snap.open_incidents)

    def _outbox(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "statuspage_outbox_messages",
            "Messages not sent yet, by channel and state (held, queued, sending).",
            labels=["channel", "state"],
        )
        oldest = GaugeMetricFamily(
            "statuspage_outbox_oldest_age_seconds",
            "Age of the oldest message not sent yet, by channel and state.",
            labels=["channel", "state"],
        )
        for d in self.snap.depth:
            depth.add_metric([d.channel, d.state], d.count)
            oldest.add_metric([d.channel, d.state], (self.snap.at - d.oldest).total_seconds())
        outcomes = CounterMetricFamily(
            "statuspage_messages",
            "Messages ever written, by channel and outcome (sent: accepted by the provider).",
            labels=["channel", "outcome"],
        )
        for o in self.snap.outcomes:
            for outcome in OUTCOMES:
                outcomes.add_metric([o.channel, outcome], getattr(o, outcome))
        yield from (depth, oldest, outcomes)

    def _window(self) -> Iterator[Metric]:
        days = METRICS_WINDOW.days
        figures = {
            "incidents": f"Incidents declared in the last {days} days.",
            "first_public_update_seconds": "Mean time from declare to the first customer "
            f"message, incidents of the last {days} days.",
            "cadence_met_ratio": "Promised updates posted on time (0 to 1), incidents of "
            f"the last {days} days.",
            "approval_wait_seconds": "Mean wait of customer messages at the approval gate, "
            f"incidents of the last {days} days.",
            "mttr_seconds": f"Mean time to resolve, incidents of the last {days} days.",
        }
        families = {
            key: GaugeMetricFamily(f"statuspage_kpi_{key}", doc, labels=["severity"])
            for key, doc in figures.items()
        }
        for s in self.snap.window:
            label = [s.severity or NONE]
            ratio = None if s.cadence.percent is None else s.cadence.kept / s.cadence.promised
            values = {
                "incidents": s.incidents,
                "first_public_update_seconds": s.mean_first_public_seconds,
                "cadence_met_ratio": ratio,
                "approval_wait_seconds": s.mean_approval_wait_seconds,
                "mttr_seconds": s.mttr_seconds,
            }
            for key, value in values.items():
                if value is not None:
                    families[key].add_metric(label, value)
        yield from families.values()

    def _checks(self) -> Iterator[Metric]:
        """The built-in checks: each one's settled state, failures in a row, and its latest
        probe (outcome, latency, when)."""
        state = GaugeMetricFamily(
            "statuspage_check_state",
            "1 for the check's state as its retries settled it, 0 for the others.",
            labels=["check", "state"],
        )
        failures = GaugeMetricFamily(
            "statuspage_check_failures", "Probes in a row that were not up.", labels=["check"]
        )
        for s in self.snap.check_states:
            for outcome in Outcome:
                state.add_metric([s.name, outcome.value], float(s.state is outcome))
            failures.add_metric([s.name], s.failures)
        result = GaugeMetricFamily(
            "statuspage_check_probe_result",
            "1 for the latest probe's outcome, 0 for the others.",
            labels=["check", "outcome"],
        )
        latency = GaugeMetricFamily(
            "statuspage_check_probe_latency_seconds",
            "How long the latest probe took (absent when it got no answer).",
            labels=["check"],
        )
        when = GaugeMetricFamily(
            "statuspage_check_probe_timestamp_seconds",
            "When the latest probe ran (Unix time): alert when it falls behind.",
            labels=["check"],
        )
        for r in self.snap.last_probes:
            for outcome in Outcome:
                result.add_metric([r.name, outcome.value], float(r.probe.outcome is outcome))
            if r.probe.latency_ms is not None:
                latency.add_metric([r.name], r.probe.latency_ms / 1000)
            when.add_metric([r.name], r.at.timestamp())
        yield from (state, failures, result, latency, when)


def _per_incident(opened: Sequence[OpenIncident]) -> Iterator[Metric]:
    figures = {
        "open_seconds": "Time since the open incident was declared.",
        "silent_seconds": "Time an open incident has gone without any customer message since "
        "its declare (0 once one was sent).",
        "update_overdue_seconds": "How late an open incident's promised next update is "
        "(0: not late).",
        "approval_wait_seconds": "The longest current wait of an open incident's customer "
        "messages at the approval gate (0: none waits).",
    }
    families = {
        key: GaugeMetricFamily(
            f"statuspage_open_incident_{key}", doc, labels=["incident_id", "severity"]
        )
        for key, doc in figures.items()
    }
    for o in opened:
        label = [o.facts.id, o.facts.severity or NONE]
        families["open_seconds"].add_metric(label, o.open_seconds)
        families["silent_seconds"].add_metric(label, o.silent_seconds)
        families["update_overdue_seconds"].add_metric(label, o.overdue_seconds)
        families["approval_wait_seconds"].add_metric(label, o.approval_wait_seconds)
    yield from families.values()
