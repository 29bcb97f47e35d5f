"""The published uptime of a component built-in checks feed comes from their probes: the
index bars, the uptime pages and calendars, the badges and the Manage API alike; days
without probes, components no check feeds and checks with `uptime: incidents` keep the
incident-based figure. New probes republish at most once a minute, a check's change of
state at once.

The page is in Europe/Berlin (UTC+1 in March). The components are created on 8 March at
13:00 local time; "now" is 10 March, 13:00 local time (12:00 UTC). The probes are stored
through the checks' use case by another connection, as `checks run --once` from cron does.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.spec import CheckSpec
from statuspage.checks.wiring import configured_checks
from statuspage.cli import cli
from statuspage.events import utcnow
from statuspage.service import Service
from statuspage.service.checks import ChecksService
from tests.checks.conftest import free_port
from tests.conftest import START, FakeClock
from tests.site_helpers import client, seed, wait_for

# The server runs these checks too, but not before a day has passed (their first probe
# comes at a random moment of their interval): the probes here are the test's.
AUTOMATION = """version: 1
checks:
  - name: api-health
    tcp: {{host: 127.0.0.1, port: {port}}}
    components: [API]
    interval: 1d
    retries: 2
  - name: web
    tcp: {{host: 127.0.0.1, port: {port}}}
    components: [website]
    interval: 1d
    retries: 2
    uptime: incidents
"""
OUTCOMES = {"u": Outcome.UP, "d": Outcome.DOWN, "g": Outcome.DEGRADED}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def automation(tmp_path: Path) -> Path:
    path = tmp_path / "automation.yaml"
    path.write_text(AUTOMATION.format(port=free_port()))
    return path


def specs(automation: Path) -> dict[str, CheckSpec]:
    return {s.name: s for s in configured_checks(str(automation))}


async def probes(svc: Service, clock: FakeClock, spec: CheckSpec, at: str, outcomes: str) -> None:
    """Store one probe a minute from `at` (UTC), with these outcomes (u, d, g)."""
    clock.current = utc(at)
    checks = ChecksService(svc.ctx)
    for code in outcomes:
        await checks.record(spec, Probe(OUTCOMES[code], 5.0))
        clock.advance(minutes=1)


async def outage(svc: Service, clock: FakeClock, name: str, at: str, minutes: float) -> None:
    clock.current = utc(at)
    await svc.set_component_status(name, "major_outage")
    clock.advance(minutes=minutes)
    await svc.set_component_status(name, "operational")


async def history(svc: Service, clock: FakeClock, checks: dict[str, CheckSpec]) -> dict[str, str]:
    clock.current = utc("2026-03-08T12:00")
    core = await svc.add_group("Core")
    api = await svc.add_component("API", group="Core")
    web = await svc.add_component("Website", group="Core")
    docs = await svc.add_component("Docs")
    # 8 March, 11 h observed: API down 66 min (90 %), no probes
    await outage(svc, clock, "API", "2026-03-08T20:00", 66)
    # 9 March: API's probes 3 of 4 up (75 %), though its recorded outage is 72 min (95 %);
    # Website down 144 min (90 %); its check's probes (1 of 3 up) do not count
    await probes(svc, clock, checks["api-health"], "2026-03-09T08:00", "udug")
    await probes(svc, clock, checks["web"], "2026-03-09T09:00", "ddu")
    await outage(svc, clock, "API", "2026-03-09T10:00", 72)
    await outage(svc, clock, "Website", "2026-03-09T10:00", 144)
    # today: API's probes 4 of 5 up (80 %)
    await probes(svc, clock, checks["api-health"], "2026-03-10T10:00", "uudgu")
    clock.current = START
    return {"core": core.id, "api": api.id, "web": web.id, "docs": docs.id}


def seeded(db_path: Path, clock: FakeClock, automation: Path) -> dict[str, str]:
    async def use(svc: Service) -> dict[str, str]:
        ids = await history(svc, clock, specs(automation))
        ids["key"] = (await svc.create_api_key("reader", "read"))[1]
        ids["page"] = (
            await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        ).id
        return ids

    return seed(db_path, clock, use)


def bar(html: str, name: str) -> dict[str, str]:
    """A component's 90-day bar on the index: its days' uptime by date ("Mar 9")."""
    found = re.search(
        rf'<span class="label-90">{name}: uptime per day[^<]*</span>.*?'
        r'<ol class="bar"[^>]*>(.*?)</ol>',
        html,
        re.S,
    )
    assert found is not None, f"no bar for {name}"
    return dict(re.findall(r"<b>(\w+ \d+)</b> ([^<]*?) uptime", found.group(1)))


def calendar(html: str, day: str) -> str:
    """A day's text in an uptime calendar ("Mar 9, 2026: 75.00% uptime")."""
    found = re.search(rf'id="d-{day}">.*?<span class="visually-hidden">([^<]*)</span>', html)
    assert found is not None, f"no day {day}"
    return found.group(1)


def badge(http: Any, component_id: str, days: int = 30) -> bytes:
    return bytes(http.get(f"/badges/components/{component_id}/uptime-{days}d.svg").content)


def message(svg: bytes) -> str:
    found = re.search(rb"<title>uptime \d+d: ([^<]*)</title>", svg)
    assert found is not None
    return found.group(1).decode()


def test_the_page_the_badges_and_the_api_take_uptime_from_probes_where_checks_feed_it(
    db_path: Path, clock: FakeClock, automation: Path
) -> None:
    ids = seeded(db_path, clock, automation)
    with client(db_path, clock, automation=str(automation)) as http:
        index = http.get("/").text
        api = bar(index, "API")
        # 8 March has no probes: the incident-based 90 %; then the probes' 75 % and 80 %
        assert (api["Mar 8"], api["Mar 9"], api["Mar 10"]) == ("90.00%", "75.00%", "80.00%")
        # 11 h at 90 %, 24 h at 75 %, 13 h at 80 %: 79.79 % over the window
        assert "79.79% uptime since Mar 8" in index  # the component is younger than 90 days
        web = bar(index, "Website")  # `uptime: incidents`: the probes' 33 % is not shown
        assert (web["Mar 8"], web["Mar 9"], web["Mar 10"]) == ("100.00%", "90.00%", "100.00%")
        docs = bar(index, "Docs")  # fed by no check
        assert (docs["Mar 9"], docs["Mar 10"]) == ("100.00%", "100.00%")
        assert "2 components · 79.79% uptime" in index  # the group: the worst member each day

        page = http.get(f"/uptime/{ids['api']}").text
        assert calendar(page, "2026-03-08") == "Mar 8, 2026: 90.00% uptime"
        assert calendar(page, "2026-03-09") == "Mar 9, 2026: 75.00% uptime"
        assert calendar(page, "2026-03-10") == "Mar 10, 2026: 80.00% uptime"
        assert "79.79% uptime" in page  # March
        group = http.get(f"/uptime/{ids['core']}").text
        assert calendar(group, "2026-03-09") == "Mar 9, 2026: 75.00% uptime"
        website = http.get(f"/uptime/{ids['web']}").text
        assert calendar(website, "2026-03-09") == "Mar 9, 2026: 90.00% uptime"
        overview = http.get("/uptime").text
        assert ">API<" in overview and "Where built-in checks watch a component" in overview

        assert message(badge(http, ids["api"])) == "79.79%"
        assert message(badge(http, ids["api"], 90)) == "79.79%"
        assert message(badge(http, ids["web"])) == "95.00%"  # 144 min down of 48 h
        assert message(badge(http, ids["docs"])) == "100.00%"

        def manage(component: str) -> Any:
            response = http.get(
                f"/v1/pages/{ids['page']}/components/{ids[component]}/uptime",
                params={"start": "2026-03-08"},
                headers={"Authorization": f"OAuth {ids['key']}"},
            )
            assert response.status_code == 200, response.text
            return response.json()

        assert manage("api")["uptime_percentage"] == 79.79
        assert manage("web")["uptime_percentage"] == 95.0
        assert manage("api")["major_outage"] == 138 * 60  # the recorded outages, as recorded


def test_without_checks_the_same_history_is_incident_based(
    db_path: Path, clock: FakeClock, automation: Path
) -> None:
    ids = seeded(db_path, clock, automation)
    with client(db_path, clock) as http:  # no automation file: no check feeds anything
        api = bar(http.get("/").text, "API")
        assert (api["Mar 8"], api["Mar 9"], api["Mar 10"]) == ("90.00%", "95.00%", "100.00%")
        assert message(badge(http, ids["api"])) == "95.20%"
        assert "Where built-in checks watch a component" not in http.get("/uptime").text


def test_new_probes_republish_once_a_minute_and_a_change_of_state_at_once(
    db_path: Path, clock: FakeClock, automation: Path
) -> None:
    ids = seeded(db_path, clock, automation)
    checks = specs(automation)

    def store(outcomes: str) -> None:
        """Probes now, from another connection (the clock stays: the server shares it)."""

        async def use(svc: Service) -> None:
            for code in outcomes:
                await ChecksService(svc.ctx).record(
                    checks["api-health"], Probe(OUTCOMES[code], 5.0)
                )

        seed(db_path, clock, use)

    with client(db_path, clock, automation=str(automation)) as http:
        first = badge(http, ids["api"])
        assert bar(http.get("/").text, "API")["Mar 10"] == "80.00%"
        store("u")  # 5 of 6 up today
        time.sleep(0.5)  # some 25 polls: the probe is seen, but a minute has not passed
        assert badge(http, ids["api"]) == first
        assert bar(http.get("/").text, "API")["Mar 10"] == "80.00%"
        clock.advance(seconds=61)
        wait_for(lambda: badge(http, ids["api"]) != first)
        assert bar(http.get("/").text, "API")["Mar 10"] == "83.33%"

        second = badge(http, ids["api"])
        store("dd")  # two failures: still up after its 2 retries, and under a minute
        time.sleep(0.5)
        assert badge(http, ids["api"]) == second
        store("d")  # the third: the check is down, which republishes at once
        wait_for(lambda: bar(http.get("/").text, "API")["Mar 10"] == "55.55%")
        assert badge(http, ids["api"]) != second


def test_the_static_export_shows_the_same_probe_based_uptime(
    db_path: Path, tmp_path: Path, automation: Path
) -> None:
    async def use(svc: Service) -> str:  # now, by the real clock the CLI uses
        api = await svc.add_component("API")
        checks = ChecksService(svc.ctx)
        for outcome in (Outcome.UP, Outcome.DOWN, Outcome.UP, Outcome.DOWN):
            await checks.record(specs(automation)["api-health"], Probe(outcome, 5.0))
        return api.id

    api = seed(db_path, utcnow, use)
    out = tmp_path / "public"
    env = {"STATUSPAGE_AUTOMATION": str(automation)}
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert message((out / f"badges/components/{api}/uptime-30d.svg").read_bytes()) == "50.00%"
    assert "50.00% uptime" in (out / f"uptime/{api}.html").read_text()
