"""Sample incidents to render templates with when a plan is validated.

`typical` reads like a real SEV1; `worst_case` fills every free-text field to the longest
the CLI accepts, so a template that does not bound its variables (`truncate`) fails the
SMS and social length checks before it fails at 3 a.m.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from statuspage.comms.compose.context import Facts
from statuspage.comms.plan.schema import FINAL_PHASES, Phase, Policy, SocialOptions
from statuspage.model import (
    MAX_MESSAGE,
    MAX_TITLE,
    AffectedComponent,
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Kind,
    Page,
    PageStatus,
)

NOW = datetime(2026, 3, 10, 13, 5, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=35)
PAGE = Page(
    "pg0sample0001", "Acme Status", "https://status.acme.example", "Europe/Berlin", NOW, NOW
)
STATUS = {
    Phase.DECLARED: "investigating",
    Phase.UPDATED: "identified",
    Phase.RESOLVED: "resolved",
    Phase.POSTMORTEM: "postmortem",
    Phase.MAINTENANCE_SCHEDULED: "scheduled",
    Phase.MAINTENANCE_STARTING_SOON: "scheduled",
    Phase.MAINTENANCE_STARTED: "in_progress",
    Phase.MAINTENANCE_UPDATED: "verifying",
    Phase.MAINTENANCE_COMPLETED: "completed",
    Phase.MAINTENANCE_CANCELLED: "cancelled",
    Phase.REMINDER: "identified",
    Phase.ESCALATION: "identified",
}
BODY = (
    "We are investigating elevated error rates on the API. About 20% of requests fail "
    "with HTTP 503. Retrying failed requests is safe."
)
POSTMORTEM = "A configuration change overloaded the load balancers. We have added a canary stage."


class Maker(Protocol):
    def __call__(
        self,
        phase: Phase,
        policy: Policy | None,
        social: SocialOptions | None,
        *,
        maintenance: bool = False,
    ) -> Facts: ...


def _components(names: list[str]) -> dict[str, Component]:
    return {
        f"cmp{i:09d}": Component(f"cmp{i:09d}", n, ComponentStatus.PARTIAL_OUTAGE, i, NOW, NOW)
        for i, n in enumerate(names)
    }


def typical(
    phase: Phase, policy: Policy | None, social: SocialOptions | None, *, maintenance: bool = False
) -> Facts:
    """A realistic incident (or maintenance) at the given phase."""
    return _facts(phase, policy, social, maintenance, "Elevated API error rates", BODY, ["API"])


def worst_case(
    phase: Phase, policy: Policy | None, social: SocialOptions | None, *, maintenance: bool = False
) -> Facts:
    """The same, with every free-text field as long as the CLI allows."""
    title = ("Elevated error rates and timeouts on the public API " * 6)[:MAX_TITLE]
    body = (BODY + " ") * (MAX_MESSAGE // len(BODY))
    names = [f"Component {i} " + "x" * (MAX_TITLE - 14) for i in range(12)]
    facts = _facts(phase, policy, social, maintenance, title, body[:MAX_MESSAGE], names)
    long_page = replace(facts.page, name=("Acme Cloud Platform Status " * 10)[:MAX_TITLE])
    return replace(facts, page=long_page)


def without_text(facts: Facts) -> Facts:
    """The same facts with every free-text value empty: names, update text, postmortem.
    What a template then renders is its own fixed text (with the times and links)."""
    components = {cid: replace(c, name="", translations=()) for cid, c in facts.components.items()}
    update = facts.update
    if update is not None:
        affected = tuple(replace(a, name="") for a in update.affected_components)
        update = replace(update, body="", translations=(), affected_components=affected)
    incident = replace(
        facts.incident,
        name="",
        translations=(),
        postmortem_body="" if facts.incident.postmortem_body else None,
        updates=(update,) if update else (),
    )
    page = replace(facts.page, name="", translations=())
    return replace(facts, page=page, incident=incident, update=update, components=components)


def fixed_text(
    phase: Phase, policy: Policy | None, social: SocialOptions | None, *, maintenance: bool = False
) -> Facts:
    return without_text(typical(phase, policy, social, maintenance=maintenance))


def non_gsm(facts: Facts) -> Facts:
    """The same facts with one character outside GSM-7 in the incident's name."""
    return replace(facts, incident=replace(facts.incident, name="ж" + facts.incident.name[1:]))


def worst_case_non_gsm(
    phase: Phase, policy: Policy | None, social: SocialOptions | None, *, maintenance: bool = False
) -> Facts:
    return non_gsm(worst_case(phase, policy, social, maintenance=maintenance))


def _facts(
    phase: Phase,
    policy: Policy | None,
    social: SocialOptions | None,
    maintenance: bool,
    title: str,
    body: str,
    component_names: list[str],
) -> Facts:
    components = _components(component_names)
    incident = _incident(phase, policy, maintenance, title, components)
    update = _update(incident, phase, body, components)
    incident = replace(incident, updates=(update,))
    cadence = policy.cadence_for(incident.status) if policy and not maintenance else None
    return Facts(
        page=PAGE,
        incident=incident,
        update=update,
        components=components,
        phase=phase.value,
        now=NOW,
        policy=policy,
        next_update_at=NOW + cadence if cadence and phase not in FINAL_PHASES else None,
        page_status=PageStatus("major", "Partial System Outage"),
        social=social,
        detail={
            "due_at": NOW - timedelta(minutes=12),
            "escalated": phase is Phase.ESCALATION,
            "role_label": "Comms lead",
            "backup_label": "Head of support",
        },
    )


def _incident(
    phase: Phase,
    policy: Policy | None,
    maintenance: bool,
    title: str,
    components: dict[str, Component],
) -> Incident:
    impact = policy.impact if policy and policy.impact else Impact.MAJOR
    return Incident(
        id="inc0sample01",
        kind=Kind.MAINTENANCE if maintenance else Kind.INCIDENT,
        name=title,
        status=STATUS[phase],
        impact=Impact.MAINTENANCE if maintenance else impact,
        created_at=STARTED,
        updated_at=NOW,
        started_at=STARTED,
        component_ids=tuple(components),
        severity=None if maintenance or policy is None else policy.key,
        resolved_at=NOW if phase in FINAL_PHASES else None,
        scheduled_for=NOW + timedelta(hours=2) if maintenance else None,
        scheduled_until=NOW + timedelta(hours=4) if maintenance else None,
        postmortem_body=POSTMORTEM if phase is Phase.POSTMORTEM else None,
    )


def _update(
    incident: Incident, phase: Phase, body: str, components: dict[str, Component]
) -> IncidentUpdate:
    return IncidentUpdate(
        id="upd0sample01",
        incident_id=incident.id,
        status=incident.status,
        body=body,
        created_at=NOW,
        display_at=NOW,
        updated_at=NOW,
        affected_components=tuple(
            AffectedComponent(c.id, c.name, ComponentStatus.OPERATIONAL, c.status)
            for c in components.values()
        ),
        previous_status=None if phase is Phase.DECLARED else "investigating",
    )
