"""The Manage API shows the times of a refused window in the page's zone, as people read them."""

from __future__ import annotations

from tests.admin.conftest import Api


def test_a_maintenance_window_edited_to_end_before_it_starts_is_shown_in_the_page_zone(
    api: Api,
) -> None:
    created = api.ok(
        "POST",
        "/incidents",
        201,
        json={
            "incident": {
                "name": "Upgrade",
                "status": "scheduled",
                "scheduled_for": "2026-03-20T10:00:00Z",
                "scheduled_until": "2026-03-20T11:00:00Z",
            }
        },
    )
    refused = api.request(
        "PATCH",
        f"/incidents/{created['id']}",
        json={"incident": {"scheduled_until": "2026-03-20T09:00:00.123456Z"}},
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == (
        "the end (Fri 20 Mar 2026 10:00 CET) must be after the start (Fri 20 Mar 2026 11:00 CET)"
    )
