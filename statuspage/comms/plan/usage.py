"""Which templates a plan uses: every (phase, channel) its routing can reach, and reminders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from statuspage.comms.plan.issues import Where
from statuspage.comms.plan.schema import (
    FINAL_PHASES,
    INTERNAL_TEMPLATE,
    MAINTENANCE_PHASES,
    REMINDER_TEMPLATE,
    Channel,
    Phase,
    Plan,
    Policy,
    Route,
    SegmentKind,
)
from statuspage.model import Impact

OWNER = "owner"
CUSTOMER = "customer"
URGENT_IMPACTS = (Impact.MAJOR, Impact.CRITICAL)


@dataclass(frozen=True)
class Usage:
    """One way a template is used, and the plan line that asks for it."""

    channel: Channel
    name: str
    phase: Phase
    policy: Policy | None
    audience: str  # customer or owner
    where: Where

    @property
    def is_maintenance(self) -> bool:
        return self.phase in MAINTENANCE_PHASES

    @property
    def needs_next_update(self) -> bool:
        """Customer messages of an ongoing major or critical incident must name the next update."""
        return (
            self.audience == CUSTOMER
            and self.phase not in FINAL_PHASES
            and not self.is_maintenance
            and self.policy is not None
            and self.policy.impact in URGENT_IMPACTS
        )

    def describe(self) -> str:
        who = "owners" if self.audience == OWNER else "customers"
        policy = f"{self.policy.key} " if self.policy else ""
        return f"{policy}{self.phase.value} to {who} by {self.channel.value}"


def policies(plan: Plan) -> list[Policy]:
    return [*plan.severities.values(), *([plan.maintenance] if plan.maintenance else [])]


def routed(plan: Plan, policy: Policy) -> Iterator[tuple[Phase, Route]]:
    """Every route of a policy, with those component overrides may add."""
    phases = dict.fromkeys(policy.routing)
    for override in plan.overrides:
        if not override.severities or policy.key in override.severities:
            phases.update(dict.fromkeys(override.routing))
    for phase in phases:
        names = [c for o in plan.overrides for c in o.components]
        for route in plan.routes(policy, phase, names):
            yield phase, route


def usages(plan: Plan) -> list[Usage]:
    """Every template use the plan can trigger, in plan order."""
    found: list[Usage] = []
    for policy in policies(plan):
        for phase, route in routed(plan, policy):
            segment = plan.segments[route.segment]
            for channel in route.channels:
                if channel is Channel.PAGE:
                    continue
                if segment.kind is SegmentKind.OWNERS:
                    name = plan.template_name(None, INTERNAL_TEMPLATE, channel)
                    found.append(Usage(channel, name, phase, policy, OWNER, route.where))
                else:
                    name = plan.template_name(policy, phase, channel)
                    found.append(Usage(channel, name, phase, policy, CUSTOMER, route.where))
    return found + reminder_usages(plan)


def reminder_usages(plan: Plan) -> list[Usage]:
    """Reminders reach the reminded role and its backup on every contact point they have."""
    found: list[Usage] = []
    for policy in plan.severities.values():
        for key in (policy.roles.reminded, plan.owners[policy.roles.reminded].backup):
            owner = plan.owners.get(key)
            if owner is None:
                continue
            for channel in owner.contacts:
                name = plan.template_name(None, REMINDER_TEMPLATE, channel)
                for phase in (Phase.REMINDER, Phase.ESCALATION):
                    found.append(Usage(channel, name, phase, policy, OWNER, owner.where))
    return found


def routed_segments(plan: Plan) -> set[str]:
    return {route.segment for policy in policies(plan) for _, route in routed(plan, policy)}
