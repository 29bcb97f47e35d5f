"""Comms KPIs: how well customers were told about incidents. Pure: facts in, figures out.

The facts of each incident (statuspage.storage.reports reads them) become its figures:

- first public update: from the declare (the incident's created_at) to the first
  customer-facing message a provider accepted (to a subscriber or the status account, its
  sent_at). The page shows the declare update at once, so it does not count; an incident
  whose plan sends customers nothing has none.
- cadence: every update the comms kit recorded promises the next one by its severity's
  cadence (comms_events.next_update_at). A promise is kept when the incident's next update
  (or its resolution) comes at or before that time, missed when it comes later or has not
  come and the time is past; a promise still running counts neither way.
- approval wait: from when a customer message began to wait at the approval gate to its
  approval; waits not yet approved are counted apart (awaiting).
- time to resolve: from the incident's start (started_at) to resolved_at.
- messages per channel (every message about the incident: to subscribers, owners, the
  status account): sent = accepted by the provider, delivered = confirmed by it, failed =
  failed for good (also after acceptance), pending = held, queued or being sent.
- subscribers reached: distinct subscribers with a message accepted and not failed.

An open incident's live figures for the metrics (`open_incident`): how long it has gone
without a customer message, how late its promised update is, how long messages wait for
approval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from statuspage.errors import InvalidInput

_SPAN = re.compile(r"^\s*(\d{1,9})\s*([hdw])\s*$")
_HOURS = {"h": 1, "d": 24, "w": 7 * 24}
MAX_HOURS = 100 * 366 * 24


@dataclass(frozen=True)
class Counts:
    """Messages of one channel by outcome."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.sent + other.sent,
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.pending + other.pending,
        )


@dataclass(frozen=True)
class IncidentFacts:
    """What the database holds about one incident, as the KPIs need it."""

    id: str
    name: str
    severity: str | None
    status: str
    created_at: datetime
    started_at: datetime
    resolved_at: datetime | None = None
    update_times: tuple[datetime, ...] = ()  # every update, oldest first
    promises: tuple[tuple[datetime, datetime], ...] = ()  # (made at, next update due at)
    approvals: tuple[tuple[datetime, datetime | None], ...] = ()  # (waiting since, approved)
    first_public_at: datetime | None = None
    messages: Mapping[str, Counts] = field(default_factory=dict)  # by channel
    reached: int = 0


@dataclass(frozen=True)
class Cadence:
    kept: int = 0
    missed: int = 0
    running: int = 0

    @property
    def promised(self) -> int:
        return self.kept + self.missed

    @property
    def percent(self) -> float | None:
        """Kept promises among those decided, in percent (one decimal); None without any."""
        return round(100 * self.kept / self.promised, 1) if self.promised else None

    def __add__(self, other: Cadence) -> Cadence:
        return Cadence(
            self.kept + other.kept, self.missed + other.missed, self.running + other.running
        )


@dataclass(frozen=True)
class IncidentKpis:
    facts: IncidentFacts
    first_public_seconds: int | None
    cadence: Cadence
    approvals: int  # approved waits
    approval_wait_seconds: int  # their total
    awaiting_approval: int
    resolve_seconds: int | None


@dataclass(frozen=True)
class Summary:
    """The figures of a group of incidents (a severity, a month and severity)."""

    severity: str | None
    incidents: int
    resolved: int
    mean_first_public_seconds: int | None
    cadence: Cadence
    mean_approval_wait_seconds: int | None
    mttr_seconds: int | None
    messages: Mapping[str, Counts]
    reached: int | None  # distinct subscribers; None where not counted (months)

    @property
    def total(self) -> Counts:
        return sum(self.messages.values(), Counts())


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    time_zone: str
    incidents: tuple[IncidentKpis, ...]
    severities: tuple[Summary, ...]
    months: tuple[tuple[str, Summary], ...]  # ("2026-11", summary of one severity)


def span(text: str, what: str = "--since") -> timedelta | None:
    """A report's window as `90d`, `12h` or `4w`; None when the text is not a span."""
    found = _SPAN.match(text)
    if found is None:
        return None
    hours = int(found.group(1)) * _HOURS[found.group(2)]
    if not 0 < hours <= MAX_HOURS:
        raise InvalidInput(
            f"{what} must be a span longer than 0 and at most 100 years, such as 90d "
            f"(got {text.strip()!r})"
        )
    return timedelta(hours=hours)


def seconds(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds())


def cadence(facts: IncidentFacts, now: datetime) -> Cadence:
    """Promises of updates kept, missed and still running (see the module's docstring)."""
    answers = sorted([*facts.update_times, *([facts.resolved_at] if facts.resolved_at else [])])
    kept = missed = running = 0
    for made, due in facts.promises:
        following = next((t for t in answers if t > made), None)
        if following is not None:
            kept, missed = (kept + 1, missed) if following <= due else (kept, missed + 1)
        elif now > due:
            missed += 1
        else:
            running += 1
    return Cadence(kept, missed, running)


def incident_kpis(facts: IncidentFacts, now: datetime) -> IncidentKpis:
    approved = [seconds(since, at) for since, at in facts.approvals if at is not None]
    first = facts.first_public_at
    resolved = facts.resolved_at
    return IncidentKpis(
        facts=facts,
        first_public_seconds=seconds(facts.created_at, first) if first else None,
        cadence=cadence(facts, now),
        approvals=len(approved),
        approval_wait_seconds=sum(approved),
        awaiting_approval=sum(1 for _, at in facts.approvals if at is None),
        resolve_seconds=seconds(facts.started_at, resolved) if resolved else None,
    )


def _mean(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present)) if present else None


def merge(maps: Iterable[Mapping[str, Counts]]) -> dict[str, Counts]:
    merged: dict[str, Counts] = {}
    for m in maps:
        for channel, counts in m.items():
            merged[channel] = merged.get(channel, Counts()) + counts
    return dict(sorted(merged.items()))


def summarise(severity: str | None, group: Sequence[IncidentKpis], reached: int | None) -> Summary:
    approvals = sum(k.approvals for k in group)
    return Summary(
        severity=severity,
        incidents=len(group),
        resolved=sum(1 for k in group if k.resolve_seconds is not None),
        mean_first_public_seconds=_mean(k.first_public_seconds for k in group),
        cadence=sum((k.cadence for k in group), Cadence()),
        mean_approval_wait_seconds=(
            round(sum(k.approval_wait_seconds for k in group) / approvals) if approvals else None
        ),
        mttr_seconds=_mean(k.resolve_seconds for k in group),
        messages=merge(k.facts.messages for k in group),
        reached=reached,
    )


def severity_order(severity: str | None) -> tuple[bool, str]:
    """By name (SEV1 before SEV2); incidents without a severity last."""
    return (severity is None, severity or "")


def month_of(at: datetime, time_zone: str) -> str:
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")


def build_report(
    facts: Sequence[IncidentFacts],
    reached_by_severity: Mapping[str | None, int],
    *,
    since: datetime,
    now: datetime,
    time_zone: str,
) -> Report:
    """The report over the incidents declared since `since`, oldest first."""
    kpis = tuple(incident_kpis(f, now) for f in sorted(facts, key=lambda f: f.created_at))
    by_severity: dict[str | None, list[IncidentKpis]] = {}
    by_month: dict[tuple[str, str | None], list[IncidentKpis]] = {}
    for k in kpis:
        by_severity.setdefault(k.facts.severity, []).append(k)
        month = month_of(k.facts.created_at, time_zone)
        by_month.setdefault((month, k.facts.severity), []).append(k)
    severities = tuple(
        summarise(s, by_severity[s], reached_by_severity.get(s, 0))
        for s in sorted(by_severity, key=severity_order)
    )
    months = tuple(
        (month, summarise(s, by_month[(month, s)], None))
        for month, s in sorted(by_month, key=lambda m: (m[0], severity_order(m[1])))
    )
    return Report(since, now, time_zone, kpis, severities, months)


@dataclass(frozen=True)
class OpenIncident:
    """An open incident's figures now, for the metrics (alertable while it matters)."""

    facts: IncidentFacts
    open_seconds: int  # since it was declared
    silent_seconds: int  # declared and no customer message yet: for how long (0 once one went)
    overdue_seconds: int  # how late the promised next update is (0: not late, or none promised)
    approval_wait_seconds: int  # the longest wait at the approval gate now (0: none waits)


def open_incident(facts: IncidentFacts, now: datetime) -> OpenIncident:
    answers = [*facts.update_times, *([facts.resolved_at] if facts.resolved_at else [])]
    overdue = 0
    if facts.promises:
        made, due = max(facts.promises)
        if not any(t > made for t in answers):
            overdue = max(0, seconds(due, now))
    waiting = [since for since, at in facts.approvals if at is None]
    return OpenIncident(
        facts=facts,
        open_seconds=seconds(facts.created_at, now),
        silent_seconds=0 if facts.first_public_at else seconds(facts.created_at, now),
        overdue_seconds=overdue,
        approval_wait_seconds=seconds(min(waiting), now) if waiting else 0,
    )
