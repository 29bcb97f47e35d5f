from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.errors import Conflict, InvalidInput
from statuspage.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Kind,
    MaintenanceStatus,
    check_incident_transition,
    check_maintenance_transition,
    check_message,
    check_title,
    check_window,
    new_id,
    page_status,
    parse_enum,
    worst_status,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def component(status: ComponentStatus) -> Component:
    return Component(new_id(), f"c-{new_id()}", status, 1, NOW, NOW)


def incident(
    kind: Kind = Kind.INCIDENT, status: str = "investigating", impact: Impact = Impact.MINOR
) -> Incident:
    return Incident(new_id(), kind, "x", status, impact, NOW, NOW, NOW)


def test_state_sets_match_the_statuspage_format() -> None:
    assert [s.value for s in ComponentStatus] == [
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    ]
    assert [s.value for s in IncidentStatus] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
    ]
    assert {s.value for s in MaintenanceStatus} >= {
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
    }
    assert [i.value for i in Impact] == ["none", "minor", "major", "critical", "maintenance"]


def test_ids_are_twelve_lowercase_base36_characters_and_random() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 12 and i.isalnum() and i == i.lower() for i in ids)


def test_parse_enum_names_the_accepted_values() -> None:
    with pytest.raises(InvalidInput, match="accepted values: operational, degraded_performance"):
        parse_enum(ComponentStatus, "broken", "component status")
    assert parse_enum(Impact, "major", "impact") is Impact.MAJOR


@pytest.mark.parametrize("title", ["", "   ", "x" * 256])
def test_empty_or_over_long_titles_are_refused(title: str) -> None:
    with pytest.raises(InvalidInput, match="title"):
        check_title(title)


def test_a_title_of_255_characters_is_accepted_and_stripped() -> None:
    assert check_title("  " + "x" * 255 + " ") == "x" * 255


def test_messages_over_ten_thousand_characters_are_refused() -> None:
    assert check_message("y" * 10_000) == "y" * 10_000
    with pytest.raises(InvalidInput, match="10001 characters long; the limit is 10000"):
        check_message("y" * 10_001)
    with pytest.raises(InvalidInput, match="must not be empty"):
        check_message(" ")


@pytest.mark.parametrize("current", ["resolved", "postmortem"])
def test_a_resolved_incident_takes_only_a_postmortem(current: str) -> None:
    with pytest.raises(Conflict, match="takes only a postmortem"):
        check_incident_transition(current, IncidentStatus.MONITORING)


def test_an_open_incident_cannot_jump_to_postmortem() -> None:
    with pytest.raises(Conflict, match="after it is resolved"):
        check_incident_transition("investigating", IncidentStatus.POSTMORTEM)


def test_an_open_incident_takes_any_open_status_including_the_same() -> None:
    for new in (
        IncidentStatus.INVESTIGATING,
        IncidentStatus.IDENTIFIED,
        IncidentStatus.MONITORING,
        IncidentStatus.RESOLVED,
    ):
        check_incident_transition("identified", new)


def test_a_maintenance_cannot_complete_before_it_starts() -> None:
    with pytest.raises(Conflict, match="cannot complete before it starts"):
        check_maintenance_transition("scheduled", MaintenanceStatus.COMPLETED)


def test_cancelling_a_maintenance_in_progress_is_refused_with_a_reason() -> None:
    with pytest.raises(Conflict, match=r"in progress and cannot be cancelled.*complete it"):
        check_maintenance_transition("in_progress", MaintenanceStatus.CANCELLED)


def test_a_finished_maintenance_takes_no_more_changes() -> None:
    for final in ("completed", "cancelled"):
        with pytest.raises(Conflict, match="no more changes"):
            check_maintenance_transition(final, MaintenanceStatus.IN_PROGRESS)


def test_maintenance_allowed_paths() -> None:
    check_maintenance_transition("scheduled", MaintenanceStatus.IN_PROGRESS)
    check_maintenance_transition("scheduled", MaintenanceStatus.CANCELLED)
    check_maintenance_transition("in_progress", MaintenanceStatus.VERIFYING)
    check_maintenance_transition("verifying", MaintenanceStatus.COMPLETED)


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(InvalidInput, match="must be after the start"):
        check_window(NOW, NOW)
    check_window(NOW, NOW + timedelta(minutes=1))


def test_an_update_with_the_same_status_shows_as_update() -> None:
    same = IncidentUpdate("u", "i", "identified", "b", NOW, NOW, NOW, previous_status="identified")
    changed = IncidentUpdate(
        "u", "i", "monitoring", "b", NOW, NOW, NOW, previous_status="identified"
    )
    first = IncidentUpdate("u", "i", "investigating", "b", NOW, NOW, NOW)
    assert (same.label, changed.label, first.label) == ("Update", "Monitoring", "Investigating")


def test_worst_status_ranks_outages_above_maintenance() -> None:
    assert worst_status([]) is ComponentStatus.OPERATIONAL
    assert (
        worst_status([ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.DEGRADED_PERFORMANCE])
        is ComponentStatus.DEGRADED_PERFORMANCE
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ComponentStatus.OPERATIONAL], ("none", "All Systems Operational")),
        ([ComponentStatus.DEGRADED_PERFORMANCE], ("minor", "Minor Service Outage")),
        ([ComponentStatus.PARTIAL_OUTAGE], ("major", "Partial System Outage")),
        (
            [ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL],
            ("critical", "Major Service Outage"),
        ),
        ([ComponentStatus.UNDER_MAINTENANCE], ("maintenance", "Service Under Maintenance")),
    ],
)
def test_page_status_derives_from_component_statuses(
    statuses: list[ComponentStatus], expected: tuple[str, str]
) -> None:
    status = page_status([component(s) for s in statuses], [])
    assert (status.indicator, status.description) == expected


def test_page_status_counts_open_incidents_and_maintenance_in_progress() -> None:
    ok = [component(ComponentStatus.OPERATIONAL)]
    assert page_status(ok, [incident(impact=Impact.CRITICAL)]).indicator == "critical"
    assert page_status(ok, [incident(status="resolved", impact=Impact.CRITICAL)]).indicator == (
        "none"
    )
    in_progress = incident(Kind.MAINTENANCE, "in_progress", Impact.MAINTENANCE)
    scheduled = incident(Kind.MAINTENANCE, "scheduled", Impact.MAINTENANCE)
    assert page_status(ok, [in_progress]).description == "Service Under Maintenance"
    assert page_status(ok, [scheduled]).indicator == "none"
    # An outage outranks maintenance.
    assert page_status(ok, [in_progress, incident(impact=Impact.MINOR)]).indicator == "minor"
