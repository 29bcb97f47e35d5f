"""Checks feed the alerts rules: one path for status changes (cause automation, the rule and
the check recorded), worst-wins with Alertmanager's alerts, a person's hold, restore, and the
rules' `for` and `hold_down` on top of the checks' retries, in the server's and cron's ways.
Against a real TCP port the test opens and closes, with a controllable clock."""

from __future__ import annotations

from pathlib import Path

from statuspage.automation.read import load_rules
from statuspage.automation.signals import Signal
from statuspage.checks.runner import Runner
from statuspage.checks.spec import CheckSpec, TcpProbe
from statuspage.model import ChangeCause, ComponentStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.service.checks import ChecksService
from tests.checks.conftest import Port, Recorder
from tests.conftest import FakeClock

OK = ComponentStatus.OPERATIONAL
PARTIAL = ComponentStatus.PARTIAL_OUTAGE
MAJOR = ComponentStatus.MAJOR_OUTAGE


def tcp(name: str, port: Port, *components: str, **kw: object) -> CheckSpec:
    probe = TcpProbe("127.0.0.1", port.port)
    return CheckSpec(name, probe, components or ("API",), **kw)  # type: ignore[arg-type]


def engine_with(svc: Service, tmp_path: Path, text: str) -> Automation:
    path = tmp_path / "automation.yaml"
    path.write_text(text, encoding="utf-8")
    return Automation(svc.ctx, svc.incidents, load_rules(path))


async def status(svc: Service, name: str = "API") -> ComponentStatus:
    return (await svc.get_component(name)).status


def alertmanager(firing: bool = True) -> Signal:
    labels = {"alertname": "ApiErrors", "severity": "critical", "statuspage_component": "API"}
    return Signal("alertmanager", "fp-api-errors", labels, firing, "critical")


async def test_a_check_going_down_moves_its_component_through_the_rules(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port, down=PARTIAL)  # the check's own status: the label carries it
    async with Runner([spec], checks, recorder) as runner:
        await runner.run_check(spec)
        assert await status(svc) is PARTIAL
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(spec)
    assert await status(svc) is OK
    api = (await svc.get_component("API")).id
    async with svc.store.read() as q:
        history = await q.list_status_changes([api])
        causes = await q.automation_changes(api)
    assert [(c.new_status, c.cause) for c in history][-2:] == [
        (PARTIAL, ChangeCause.AUTOMATION),
        (OK, ChangeCause.AUTOMATION),
    ]
    assert [(c["new_status"], c["rule"], c["source"], c["fingerprint"], c["alertname"])
            for c in causes] == [
        ("operational", "default", "check", "check:api-port", "api-port"),
        ("partial_outage", "default", "check", "check:api-port", "api-port"),
    ]  # fmt: skip
    entries = await svc.audit_entries(limit=2)
    assert {(e.actor, e.via, e.source) for e in entries} == {
        ("automation", "automation", "check:api-port")
    }
    assert {"components", "automation_changes"} <= {c.table for e in entries for c in e.changes}


async def test_a_check_and_an_alertmanager_alert_on_one_component_the_worst_wins(
    svc: Service, checks: ChecksService, engine: Automation, recorder: Recorder,
    clock: FakeClock, port: Port,
) -> None:  # fmt: skip
    await svc.add_component("API")
    spec = tcp("api-port", port, down=PARTIAL)
    async with Runner([spec], checks, recorder) as runner:
        await engine.receive([alertmanager()])
        assert await status(svc) is MAJOR
        await runner.run_check(spec)  # asks for less: the alert's status stays
        assert await status(svc) is MAJOR
        await engine.receive([alertmanager(firing=False)])
        assert await status(svc) is PARTIAL  # the check still fails
        await engine.receive([alertmanager()])
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(spec)  # the check is back; the alert still fires
        assert await status(svc) is MAJOR
        await engine.receive([alertmanager(firing=False)])
    assert await status(svc) is OK


async def test_a_hold_by_hand_beats_a_check_until_it_is_handed_back(
    svc: Service, checks: ChecksService, recorder: Recorder, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port)
    await svc.set_component_status("API", "degraded_performance")
    async with Runner([spec], checks, recorder) as runner:
        await runner.run_once()
    assert await status(svc) is ComponentStatus.DEGRADED_PERFORMANCE
    assert recorder.outcomes[1].held == ["API"]
    await svc.set_component_status("API", "auto")
    assert await status(svc) is MAJOR  # what the failing check asks for


async def test_a_rule_matching_the_check_label_decides_instead_of_the_default(
    svc: Service, checks: ChecksService, clock: FakeClock, port: Port, tmp_path: Path
) -> None:
    await svc.add_component("API")
    await svc.add_component("Web")
    rules = """version: 1
rules:
  - name: edge-check
    match: {check: edge}
    components: [Web]
    status: partial_outage
"""
    recorder = Recorder(engine_with(svc, tmp_path, rules))
    edge, other = tcp("edge", port), tcp("other", port)
    async with Runner([edge, other], checks, recorder) as runner:
        await runner.run_check(edge)
        assert (await status(svc), await status(svc, "Web")) == (OK, PARTIAL)
        await runner.run_check(other)  # no rule names it: the default rule, its own status
        assert await status(svc) is MAJOR
    assert [c.rule for o in recorder.outcomes for c in o.changes] == ["edge-check", "default"]


async def test_the_rules_for_and_hold_down_apply_on_top_of_the_retries_in_the_server(
    svc: Service, checks: ChecksService, clock: FakeClock, port: Port, tmp_path: Path
) -> None:
    await svc.add_component("API")
    engine = engine_with(svc, tmp_path, "version: 1\ndefault_rule: {for: 1m, hold_down: 5m}\n")
    spec = tcp("api-port", port, retries=1)
    async with Runner([spec], checks, Recorder(engine)) as runner:
        await runner.run_check(spec)  # one failure: within the retries
        clock.advance(seconds=30)
        await runner.run_check(spec)  # down now: the rule's `for` starts
        assert await status(svc) is OK
        clock.advance(seconds=59)
        assert (await engine.tick()).changes == []
        clock.advance(seconds=1)
        await engine.tick()  # the server's ticker
        assert await status(svc) is MAJOR
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(spec)  # up: the hold-down starts
        assert await status(svc) is MAJOR
        clock.advance(minutes=5)
        await engine.tick()
    assert await status(svc) is OK


async def test_run_once_from_cron_goes_through_the_engine_and_its_tick(
    svc: Service, checks: ChecksService, clock: FakeClock, port: Port, tmp_path: Path
) -> None:
    await svc.add_component("API")
    text = "version: 1\ndefault_rule: {for: 2m, hold_down: 3m}\n"
    spec = tcp("api-port", port)
    runs = 0

    async def cron() -> None:  # `checks run --once`: a new runner and engine each time
        nonlocal runs
        runs += 1
        recorder = Recorder(engine_with(svc, tmp_path, text))
        async with Runner([spec], checks, recorder) as runner:
            await runner.run_once()
        clock.advance(minutes=1)

    await cron()  # down: pending
    await cron()
    assert await status(svc) is OK
    await cron()  # two minutes since: the `for` is over
    assert await status(svc) is MAJOR
    await port.open()
    for _ in range(3):
        await cron()  # up: held down for three minutes
        assert await status(svc) is MAJOR
    await cron()
    assert await status(svc) is OK and runs == 7


async def test_a_check_removed_from_the_file_stops_firing_at_the_next_start(
    svc: Service, checks: ChecksService, engine: Automation, recorder: Recorder, port: Port
) -> None:
    await svc.add_component("API")
    await engine.receive([alertmanager()])
    gone, kept = tcp("gone", port), tcp("kept", port, "Web")
    await svc.add_component("Web")
    async with Runner([gone, kept], checks, recorder) as runner:
        await runner.run_once()
    alerts, _, _ = await engine.alerts()
    assert sorted(a.fingerprint for a in alerts) == ["check:gone", "check:kept", "fp-api-errors"]
    async with Runner([kept], checks, recorder) as runner:
        await runner.run_once()
    alerts, _, _ = await engine.alerts()
    assert sorted(a.fingerprint for a in alerts) == ["check:kept", "fp-api-errors"]
    assert (await status(svc), await status(svc, "Web")) == (MAJOR, MAJOR)  # the alert stays
