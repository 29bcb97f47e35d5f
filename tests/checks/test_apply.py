"""A check's failures move its components through the alerts rules engine: retries before
down, restore on the first good probe, the worst failing check wins, a status set by hand is
left alone, signals carry the labels the alerts rules match on, and old results are pruned.
Against a real TCP port the test opens and closes, with a controllable clock."""

from __future__ import annotations

from datetime import timedelta

from statuspage.checks.outcome import Outcome
from statuspage.checks.runner import Runner
from statuspage.checks.spec import CheckSpec, HttpProbe, TcpProbe
from statuspage.model import ComponentStatus
from statuspage.service import Service
from statuspage.service.automation import Automation
from statuspage.service.checks import ChecksService
from tests.checks.conftest import IN_FLIGHT, Port, Recorder
from tests.conftest import FakeClock

MAJOR = ComponentStatus.MAJOR_OUTAGE
OPERATIONAL = ComponentStatus.OPERATIONAL


def tcp(name: str, port: Port, retries: int = 0, **kw: object) -> CheckSpec:
    return CheckSpec(name, TcpProbe("127.0.0.1", port.port), ("API",), retries=retries, **kw)  # type: ignore[arg-type]


async def status(svc: Service, name: str = "API") -> ComponentStatus:
    return (await svc.get_component(name)).status


async def test_a_check_is_down_after_its_retries_and_restored_by_the_first_good_probe(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port, retries=2)
    async with Runner([spec], checks, recorder) as runner:
        for failures in (1, 2):
            ran = await runner.run_check(spec)
            assert (ran.probe.outcome, ran.step.state.state) == (Outcome.DOWN, Outcome.UP)
            assert ran.step.state.failures == failures
            assert await status(svc) is OPERATIONAL
            clock.advance(seconds=30)
        down_at = clock.current
        ran = await runner.run_check(spec)
        assert ran.step.changed and ran.step.state.state is Outcome.DOWN
        assert ran.step.state.since == down_at
        assert await status(svc) is MAJOR
        clock.advance(seconds=30)
        await runner.run_check(spec)  # still down: nothing new
        assert len(recorder.signals) == 1
        await port.open()
        clock.advance(seconds=30)
        ran = await runner.run_check(spec)
        assert ran.step.changed and ran.step.state.failures == 0
    assert await status(svc) is OPERATIONAL
    entries = await svc.audit_entries()
    actors = [(e.actor, e.via, e.source, e.action) for e in entries if e.actor == "automation"]
    assert actors[:2] == [
        ("automation", "automation", "check:api-port", "check api-port up"),
        ("automation", "automation", "check:api-port", "check api-port down"),
    ]


async def test_signals_carry_the_labels_and_severity_the_alert_rules_match_on(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    await svc.add_component("API")
    await svc.add_component("Web")
    spec = CheckSpec("edge", TcpProbe("127.0.0.1", port.port), ("API", "Web"))
    async with Runner([spec], checks, recorder) as runner:
        await runner.run_check(spec)
        await port.open()
        clock.advance(minutes=1)
        await runner.run_check(spec)
    firing, _, resolved = recorder.signals
    assert firing.source == "check" and firing.fingerprint == "check:edge" and firing.firing
    assert dict(firing.labels) == {
        "statuspage_component": "API", "check": "edge", "alertname": "edge",
        "severity": "critical", "statuspage_status": "major_outage",
    }  # fmt: skip
    assert firing.severity == "critical" and firing.at == clock.current - timedelta(minutes=1)
    assert firing.summary.startswith(f"edge (127.0.0.1:{port.port}) is down: ")
    assert not resolved.firing and resolved.fingerprint == "check:edge"
    assert dict(resolved.labels) == {"check": "edge", "alertname": "edge"}
    assert [s.labels.get("statuspage_component") for s in recorder.signals] == ["API", "Web", None]
    assert await status(svc, "Web") is OPERATIONAL


async def test_the_worst_failing_check_wins_and_restoring_one_leaves_the_others(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port,
    http_url: str,
) -> None:  # fmt: skip
    await svc.add_component("API")
    slow = CheckSpec(
        "slow-api",
        HttpProbe(f"{http_url}/slow?s=0.2", slow=timedelta(milliseconds=50)),
        ("API",),
        degraded=ComponentStatus.PARTIAL_OUTAGE,
    )
    port_check = tcp("api-port", port)
    async with Runner([slow, port_check], checks, recorder) as runner:
        await runner.run_check(slow)
        assert await status(svc) is ComponentStatus.PARTIAL_OUTAGE
        await runner.run_check(port_check)
        assert await status(svc) is MAJOR
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(port_check)
        assert await status(svc) is ComponentStatus.PARTIAL_OUTAGE  # the slow check still holds
        await runner.run_check(slow)
        assert await status(svc) is ComponentStatus.PARTIAL_OUTAGE  # still slow: no change


async def test_a_status_set_by_hand_is_never_overwritten_by_a_check(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port)
    async with Runner([spec], checks, recorder) as runner:
        await svc.set_component_status("API", "degraded_performance")
        await runner.run_check(spec)  # down, but a person said "degraded"
        assert await status(svc) is ComponentStatus.DEGRADED_PERFORMANCE
        assert recorder.outcomes[-1].held == ["API"]
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(spec)  # up again: what the person set stays
        assert await status(svc) is ComponentStatus.DEGRADED_PERFORMANCE

        await svc.set_component_status("API", "auto")  # handed back: nothing fails now
        assert await status(svc) is OPERATIONAL
        await port.close()
        clock.advance(seconds=30)
        await runner.run_check(spec)
        assert await status(svc) is MAJOR
        await svc.set_component_status("API", "operational")  # a person takes over
        clock.advance(seconds=30)
        await runner.run_check(spec)  # still down, re-sent at the next start too
        await runner.reconcile()
        assert await status(svc) is OPERATIONAL
        await svc.set_component_status("API", "auto")  # handed back: the check still fails
        assert await status(svc) is MAJOR


async def test_an_incident_holds_the_component_against_the_checks_restore(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port)
    async with Runner([spec], checks, recorder) as runner:
        await runner.run_check(spec)
        assert await status(svc) is MAJOR
        await svc.declare_incident(
            "API errors", impact="minor", components=[("API", "partial_outage")],
            message="We are looking into errors on the API.",
        )  # fmt: skip
        await port.open()
        clock.advance(seconds=30)
        await runner.run_check(spec)
        assert await status(svc) is ComponentStatus.PARTIAL_OUTAGE


async def test_a_check_naming_an_unknown_component_changes_nothing(
    svc: Service, checks: ChecksService, recorder: Recorder, port: Port
) -> None:
    await svc.add_component("API")
    spec = CheckSpec("lost", TcpProbe("127.0.0.1", port.port), ("Nope",))
    async with Runner([spec], checks, recorder) as runner:
        ran = await runner.run_check(spec)
    assert ran.step.state.state is Outcome.DOWN
    assert await status(svc) is OPERATIONAL
    assert recorder.outcomes[-1].ignored == [
        "check alert lost: rule 'default' names an unknown component 'Nope'"
    ]


async def test_results_older_than_the_retention_are_pruned_by_the_runner(
    svc: Service, checks: ChecksService, recorder: Recorder, clock: FakeClock, port: Port
) -> None:
    spec = tcp("api-port", port)
    async with Runner([spec], checks, recorder, retention=timedelta(days=30)) as runner:
        await runner.run_once()
        first = clock.current
        clock.advance(days=20)
        await runner.run_once()
        assert len(await checks.results(["api-port"], first, clock.current + timedelta(1))) == 2
        clock.advance(days=11)
        await runner.run_once()
        kept = await checks.results(["api-port"], first, clock.current + timedelta(1))
    assert [r.at for r in kept] == [first + timedelta(days=20), clock.current]
    rows = await checks.rows(["api-port", "never"])
    assert rows[0].last is not None and rows[0].last.at == clock.current
    assert rows[1].state is None and rows[1].last is None


async def test_a_stored_state_is_applied_again_when_the_runner_starts(
    svc: Service, checks: ChecksService, recorder: Recorder, port: Port
) -> None:
    await svc.add_component("API")
    spec = tcp("api-port", port)
    async with Runner([spec], checks, recorder) as runner:
        await checks.record(spec, await runner.probe(spec))  # stopped before its signal
        assert await status(svc) is OPERATIONAL
        await runner.run_once()  # still down: no new change, but the state is applied
    assert await status(svc) is MAJOR
    assert [s.firing for s in recorder.signals] == [True]  # from the stored state


async def test_a_check_removed_from_the_file_lets_go_of_its_components(
    svc: Service, checks: ChecksService, recorder: Recorder, engine: Automation, port: Port
) -> None:
    await svc.add_component("API")
    await svc.add_component("Web")
    spec = CheckSpec("edge", TcpProbe("127.0.0.1", port.port), ("API", "Web"))
    async with Runner([spec], checks, recorder) as runner:
        await runner.run_once()
    assert (await status(svc), await status(svc, "Web")) == (MAJOR, MAJOR)
    narrower = CheckSpec("edge", spec.probe, ("Web",))
    async with Runner([narrower], checks, recorder) as runner:
        await runner.reconcile()
    assert (await status(svc), await status(svc, "Web")) == (OPERATIONAL, MAJOR)
    async with Runner([], checks, recorder) as runner:
        await runner.run_once()  # no checks at all: a missing setting, most likely
    assert await status(svc, "Web") is MAJOR
    other = CheckSpec("other", spec.probe, ("API",))
    async with Runner([other], checks, recorder) as runner:
        await runner.reconcile()
    assert await status(svc, "Web") is OPERATIONAL
    alerts, _, _ = await engine.alerts()
    assert alerts == []
    assert [c.rule for c in recorder.outcomes[-1].changes] == ["default"]


async def test_no_more_probes_run_at_once_than_the_concurrency_allows(
    checks: ChecksService, recorder: Recorder, http_url: str
) -> None:
    specs = [CheckSpec(f"c{i}", HttpProbe(f"{http_url}/slow?s=0.1")) for i in range(6)]
    IN_FLIGHT["most"] = 0
    async with Runner(specs, checks, recorder, concurrency=2) as runner:
        ran = await runner.run_once()
    assert [r.probe.outcome for r in ran] == [Outcome.UP] * 6
    assert IN_FLIGHT["most"] == 2
