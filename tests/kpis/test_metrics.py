"""/metrics scraped over HTTP from the real app, on real data (tests/kpis/scenario.py),
parsed with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.checks.outcome import Outcome, Probe
from statuspage.checks.spec import CheckSpec, TcpProbe
from statuspage.config import Settings
from statuspage.errors import InvalidInput
from statuspage.service import Service
from statuspage.service.checks import ChecksService
from tests.conftest import FakeClock
from tests.delivery.conftest import Providers
from tests.kpis.live import app_settings, free_port, get, serving
from tests.kpis.scenario import tell

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


async def story(svc: Service, clock: FakeClock, providers: Providers, db_path: Path) -> str:
    """The scenario, then a third incident (SEV1) waiting 3 min for its approval."""
    await tell(svc, clock, providers, db_path)
    waiting = await svc.declare_incident(
        "Sign-in failing", message="We are investigating.", severity="SEV1",
        components=[("API", None)],
    )  # fmt: skip
    clock.advance(minutes=3)
    return waiting.id


def assert_the_story(found: Samples, waiting: str) -> None:
    # one-hot: the SEV1 under way holds API in a major outage, SEV2 (minor) degrades Web
    assert component_statuses(found) == {"API": "major_outage", "Web": "degraded_performance",
                                         "Payments": "operational"}  # fmt: skip
    assert value(found, "statuspage_open_incidents", severity="SEV1") == 1
    assert value(found, "statuspage_open_incidents", severity="SEV2") == 1
    # the waiting SEV1: 3 min without a word to customers, all of it at the approval gate
    for figure, expected in [("open", 180), ("silent", 180), ("approval_wait", 180),
                             ("update_overdue", 0)]:  # fmt: skip
        name = f"statuspage_open_incident_{figure}_seconds"
        assert value(found, name, incident_id=waiting, severity="SEV1") == expected
    # held: its customer messages; queued: its owners' (no dispatcher runs here)
    depth = {(k[1], v) for k, v in found.items() if k[0] == "statuspage_outbox_messages"}
    assert depth == {
        (frozenset({("channel", "email"), ("state", "held")}), 2),
        (frozenset({("channel", "sms"), ("state", "held")}), 1),
        (frozenset({("channel", "webhook"), ("state", "held")}), 1),
        (frozenset({("channel", "slack"), ("state", "held")}), 1),
        (frozenset({("channel", "social"), ("state", "held")}), 1),
        (frozenset({("channel", "email"), ("state", "queued")}), 2),
        (frozenset({("channel", "sms"), ("state", "queued")}), 1),
        (frozenset({("channel", "slack"), ("state", "queued")}), 1),
    }
    assert value(found, "statuspage_outbox_oldest_age_seconds", channel="sms", state="held") == 180
    total = "statuspage_messages_total"
    assert value(found, total, channel="email", outcome="sent") == 9 + 3
    assert value(found, total, channel="email", outcome="failed") == 3 + 1
    assert value(found, total, channel="sms", outcome="delivered") == 1
    assert value(found, total, channel="social", outcome="sent") == 3
    assert value(found, "statuspage_kpi_mttr_seconds", severity="SEV1") == 3900
    assert value(found, "statuspage_kpi_cadence_met_ratio", severity="SEV1") == 0.5
    assert value(found, "statuspage_kpi_first_public_update_seconds", severity="SEV1") == 250
    assert value(found, "statuspage_kpi_incidents", severity="SEV1") == 2
    assert ("statuspage_kpi_mttr_seconds", frozenset({("severity", "SEV2")})) not in found
    assert value(found, "statuspage_publish_duration_seconds_count") >= 1


def component_statuses(found: Samples) -> dict[str, str]:
    """The status of each component whose series is 1; each has exactly five series."""
    series = [dict(k[1]) | {"v": str(v)} for k, v in found.items()
              if k[0] == "statuspage_component_status"]  # fmt: skip
    assert len(series) == 3 * 5
    return {s["component"]: s["status"] for s in series if s["v"] == "1.0"}


async def test_metrics_behind_a_key_answer_a_read_key_with_the_figures_of_the_story(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    waiting = await story(csvc, clock, providers, db_path)
    _, key = await csvc.create_api_key("prometheus", "read")
    with serving(app_settings(db_path, metrics="key"), clock) as url:
        answer = await get(url + "/metrics", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert_the_story(samples(answer.text), waiting)


async def test_metrics_behind_a_key_refuse_a_missing_or_wrong_key(
    csvc: Service, clock: FakeClock, db_path: Path
) -> None:
    _, key = await csvc.create_api_key("prometheus", "read")
    await csvc.revoke_api_key("prometheus")
    with serving(app_settings(db_path, metrics="key"), clock) as url:
        missing = await get(url + "/metrics")
        wrong = await get(url + "/metrics", headers={"Authorization": "Bearer sp_nope"})
        revoked = await get(url + "/metrics", headers={"Authorization": f"Bearer {key}"})
        basic = await get(url + "/metrics", auth=("prometheus", key))
    assert [r.status_code for r in (missing, wrong, revoked, basic)] == [401] * 4
    assert missing.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert missing.text == "send an API key: Authorization: Bearer <key>\n"
    assert wrong.text == "invalid API key\n" and "revoked" in revoked.text
    assert "statuspage_" not in missing.text + wrong.text + revoked.text + basic.text


async def test_metrics_are_off_by_default(csvc: Service, clock: FakeClock, db_path: Path) -> None:
    _, key = await csvc.create_api_key("prometheus", "read")
    assert Settings().metrics == "off"
    with serving(app_settings(db_path), clock) as url:
        answer = await get(url + "/metrics", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 404 and "statuspage_" not in answer.text


async def test_metrics_on_their_own_port_need_no_key_and_stay_off_the_page_port(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    waiting = await story(csvc, clock, providers, db_path)
    port = free_port()
    settings = app_settings(db_path, metrics="port", metrics_port=port)
    with serving(settings, clock) as url:
        on_page_port = await get(url + "/metrics")
        answer = await get(f"http://127.0.0.1:{port}/metrics")
        clock.advance(minutes=2)  # read at scrape time: the waits grow
        later = samples((await get(f"http://127.0.0.1:{port}/metrics")).text)
    assert on_page_port.status_code == 404
    assert answer.status_code == 200
    assert_the_story(samples(answer.text), waiting)
    name = "statuspage_open_incident_approval_wait_seconds"
    assert value(later, name, incident_id=waiting, severity="SEV1") == 300
    with pytest.raises(httpx.ConnectError):  # closed with the server
        await get(f"http://127.0.0.1:{port}/metrics")


async def test_a_metrics_port_in_use_stops_the_start_in_one_line(
    svc: Service, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = create_app(app_settings(db_path, metrics="port", metrics_port=port))
        refused = pytest.raises(InvalidInput, match=f"cannot serve metrics on 127.0.0.1:{port}")
        with refused, TestClient(app):
            pass
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: cannot serve metrics on 127.0.0.1:{port} (STATUSPAGE_METRICS_")


async def test_scrapes_at_once_share_one_read(
    csvc: Service, clock: FakeClock, db_path: Path
) -> None:
    from statuspage.metrics.exporter import Metrics

    metrics = Metrics(app_settings(db_path, metrics="key"))
    reads = 0
    real = csvc.metrics_snapshot

    async def counted(checks: Any = ()) -> Any:
        nonlocal reads
        reads += 1
        return await real(checks)

    csvc.metrics_snapshot = counted  # type: ignore[method-assign]
    answers = await asyncio.gather(*(metrics.scrape(csvc) for _ in range(5)))
    assert reads == 1 and len(set(answers)) == 1
    assert b"statuspage_open_incidents" in answers[0]


async def test_metrics_show_each_checks_state_failures_and_latest_probe(
    csvc: Service, clock: FakeClock, db_path: Path, tmp_path: Path
) -> None:
    checks = ChecksService(csvc.ctx)
    db = CheckSpec("db-port", TcpProbe("127.0.0.1", 5432), retries=1)
    web = CheckSpec("web", TcpProbe("127.0.0.1", 443))
    gone = CheckSpec("removed", TcpProbe("127.0.0.1", 80))  # no longer in the file
    await checks.record(web, Probe(Outcome.UP, 42.0))
    await checks.record(gone, Probe(Outcome.DOWN, None, "connection refused"))
    await checks.record(db, Probe(Outcome.DOWN, None, "connection refused"))
    clock.advance(seconds=30)
    await checks.record(db, Probe(Outcome.DOWN, None, "connection refused"))
    automation = tmp_path / "automation.yaml"
    automation.write_text(  # probed once a day: the server's own probe is not in this test
        "version: 1\nchecks:\n"
        "  - {name: db-port, tcp: {host: 127.0.0.1, port: 5432}, interval: 1d, retries: 1}\n"
        "  - {name: web, tcp: {host: 127.0.0.1, port: 443}, interval: 1d}\n"
    )
    settings = app_settings(db_path, metrics="key", automation=str(automation))
    app = create_app(settings, clock=clock)
    _, key = await csvc.create_api_key("prometheus", "read")
    with TestClient(app) as http:
        answer = http.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    found = samples(answer.text)
    state = "statuspage_check_state"
    assert value(found, state, check="db-port", state="down") == 1  # two failures, retries 1
    assert value(found, state, check="db-port", state="up") == 0
    assert value(found, state, check="web", state="up") == 1
    assert value(found, "statuspage_check_failures", check="db-port") == 2
    assert value(found, "statuspage_check_probe_result", check="db-port", outcome="down") == 1
    assert value(found, "statuspage_check_probe_latency_seconds", check="web") == 0.042
    latency = ("statuspage_check_probe_latency_seconds", frozenset({("check", "db-port")}))
    assert latency not in found  # no answer, no latency
    last = value(found, "statuspage_check_probe_timestamp_seconds", check="db-port")
    assert last == clock().timestamp()
    assert not any(dict(k[1]).get("check") == "removed" for k in found)  # not kept alive
