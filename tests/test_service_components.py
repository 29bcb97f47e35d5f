from __future__ import annotations

import pytest

from statuspage.errors import Conflict, InvalidInput, NotFound
from statuspage.service import Service


async def test_components_are_listed_in_group_order(svc: Service) -> None:
    await svc.add_group("Data", position=2)
    await svc.add_group("Core", position=1)
    await svc.add_component("DB", group="Data")
    await svc.add_component("API", group="Core")
    await svc.add_component("Docs")
    assert [c.name for c in await svc.list_components()] == ["API", "DB", "Docs"]
    assert [g.name for g in await svc.list_groups()] == ["Core", "Data"]


async def test_names_are_unique_ignoring_case(svc: Service) -> None:
    await svc.add_component("API")
    with pytest.raises(Conflict, match="already exists"):
        await svc.add_component("api")
    await svc.add_group("Core")
    with pytest.raises(Conflict, match="already exists"):
        await svc.add_group("CORE")


async def test_components_are_found_by_id_or_name(svc: Service) -> None:
    created = await svc.add_component("API")
    assert (await svc.get_component(created.id)).name == "API"
    assert (await svc.get_component("api")).id == created.id


async def test_an_unknown_group_is_refused(svc: Service) -> None:
    with pytest.raises(NotFound, match="unknown group 'Nope'; known groups: none yet"):
        await svc.add_component("API", group="Nope")
    assert await svc.list_components() == []


async def test_a_group_with_components_is_removed_only_with_ungroup(svc: Service) -> None:
    await svc.add_group("Core")
    await svc.add_component("API", group="Core")
    with pytest.raises(Conflict, match="still holds API"):
        await svc.remove_group("Core")
    await svc.remove_group("Core", ungroup=True)
    assert (await svc.get_component("API")).group_id is None
    assert await svc.list_groups() == []


async def test_a_component_in_an_open_incident_cannot_be_removed(svc: Service) -> None:
    await svc.add_component("API")
    incident = await svc.declare_incident(
        "x", message="m", impact="minor", components=[("API", None)]
    )
    with pytest.raises(Conflict, match="affected by open incident"):
        await svc.remove_component("API")
    await svc.resolve_incident(incident.id)
    await svc.remove_component("API")
    assert await svc.list_components() == []
    assert (await svc.get_incident(incident.id)).component_ids == ()


async def test_positions_must_be_positive(svc: Service) -> None:
    with pytest.raises(InvalidInput, match="position must be 1 or more"):
        await svc.add_component("API", position=0)


async def test_page_settings_validate_the_time_zone(svc: Service) -> None:
    with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Olympus'"):
        await svc.update_page(time_zone="Mars/Olympus")
    changed = await svc.update_page(time_zone="America/New_York", url="https://x.test/")
    assert (changed.time_zone, changed.url) == ("America/New_York", "https://x.test")


@pytest.mark.parametrize(
    "url",
    [
        "status.acme.example",
        "notaurl",
        "javascript:alert(1)",
        "ftp://x.test",
        "https://x.test/?a=1",
    ],
)
async def test_the_page_url_must_be_an_absolute_http_url(svc: Service, url: str) -> None:
    before = await svc.update_page(url="https://status.acme.test")
    with pytest.raises(InvalidInput, match="page URL"):
        await svc.update_page(url=url)
    assert (await svc.update_page()).url == before.url


async def test_manual_status_is_validated(svc: Service) -> None:
    await svc.add_component("API")
    with pytest.raises(InvalidInput, match="accepted values: operational"):
        await svc.set_component_status("API", "down")
    assert (await svc.set_component_status("API", "major_outage")).status == "major_outage"
