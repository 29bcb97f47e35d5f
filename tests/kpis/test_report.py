"""`statuspage report` on incidents told through the real service and delivery path
(tests/kpis/scenario.py tells the story the numbers below come from)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from statuspage.cli import cli
from statuspage.errors import InvalidInput
from statuspage.kpis_json import report_json
from statuspage.service import Service
from tests.conftest import START, FakeClock, RunCli
from tests.delivery.conftest import Providers
from tests.kpis.live import app_settings, get, serving
from tests.kpis.scenario import tell

SINCE = "2026-03-01T00:00:00Z"
SEV1_MESSAGES = {
    "email": {"sent": 9, "delivered": 0, "failed": 3, "pending": 0},  # bob refused 3 times
    "slack": {"sent": 4, "delivered": 0, "failed": 0, "pending": 0},
    "sms": {"sent": 4, "delivered": 1, "failed": 0, "pending": 0},  # one delivery report
    "social": {"sent": 3, "delivered": 0, "failed": 0, "pending": 0},
    "webhook": {"sent": 3, "delivered": 0, "failed": 0, "pending": 0},
}
SEV2_MESSAGES = {"email": {"sent": 3, "delivered": 0, "failed": 1, "pending": 0}}


async def test_each_incident_gets_its_comms_kpis_exactly(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    told = await tell(csvc, clock, providers, db_path)
    shape = report_json(await csvc.comms_report(START))
    assert shape["version"] == 1 and shape["time_zone"] == "Europe/Berlin"
    assert shape["since"] == "2026-03-10T12:00:00.000Z"
    assert shape["until"] == "2026-04-04T14:26:00.000Z"
    sev1, sev2 = shape["incidents"]
    assert sev1 == {
        "id": told.sev1, "name": "API errors", "severity": "SEV1", "status": "resolved",
        "declared_at": "2026-03-10T12:00:00.000Z", "started_at": "2026-03-10T12:00:00.000Z",
        "resolved_at": "2026-03-10T13:05:00.000Z",
        "first_public_update_seconds": 250,  # held for approval 4 min 10 s, then sent
        "cadence": {"promised": 2, "kept": 1, "missed": 1, "running": 0, "met_percent": 50.0},
        "approvals": 3, "approval_wait_seconds": 250 + 300 + 60, "awaiting_approval": 0,
        "time_to_resolve_seconds": 65 * 60, "messages": SEV1_MESSAGES,
        "subscribers_reached": 4,  # ann, the SMS number, the webhook, the Slack URL; not bob
    }  # fmt: skip
    assert sev2 == {
        "id": told.sev2, "name": "Slow dashboard", "severity": "SEV2", "status": "monitoring",
        "declared_at": "2026-04-04T13:06:00.000Z", "started_at": "2026-04-04T13:06:00.000Z",
        "resolved_at": None, "first_public_update_seconds": 30,
        # the declare's promise (1 h) missed by 10 min; monitoring's (2 h) still running
        "cadence": {"promised": 1, "kept": 0, "missed": 1, "running": 1, "met_percent": 0.0},
        "approvals": 0, "approval_wait_seconds": 0, "awaiting_approval": 0,
        "time_to_resolve_seconds": None, "messages": SEV2_MESSAGES, "subscribers_reached": 1,
    }  # fmt: skip


async def test_severities_and_months_sum_up_with_mttr_and_means(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await tell(csvc, clock, providers, db_path)
    shape = report_json(await csvc.comms_report(START))
    sev1, sev2 = shape["severities"]
    assert sev1 == {
        "severity": "SEV1", "incidents": 1, "resolved": 1,
        "mean_first_public_update_seconds": 250,
        "cadence": {"promised": 2, "kept": 1, "missed": 1, "running": 0, "met_percent": 50.0},
        "mean_approval_wait_seconds": 203,  # 610 s over 3 approvals
        "mttr_seconds": 3900, "messages": SEV1_MESSAGES, "subscribers_reached": 4,
    }  # fmt: skip
    assert (sev2["severity"], sev2["mttr_seconds"], sev2["subscribers_reached"]) == (
        "SEV2",
        None,
        1,
    )
    months = [
        (m["month"], m["severity"], m["incidents"], m["mttr_seconds"]) for m in shape["months"]
    ]
    assert months == [("2026-03", "SEV1", 1, 3900), ("2026-04", "SEV2", 1, None)]
    assert "subscribers_reached" not in shape["months"][0]


async def test_only_incidents_declared_since_the_start_are_reported(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    told = await tell(csvc, clock, providers, db_path)
    shape = report_json(await csvc.comms_report(clock.current - timedelta(days=1)))
    assert [i["id"] for i in shape["incidents"]] == [told.sev2]
    assert [s["severity"] for s in shape["severities"]] == ["SEV2"]
    with pytest.raises(InvalidInput, match="in the past"):
        await csvc.comms_report(clock.current + timedelta(seconds=1))


async def test_the_report_command_prints_aligned_tables_in_the_page_time_zone(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, run_cli: RunCli
) -> None:
    told = await tell(csvc, clock, providers, db_path)
    # The command's clock is the real one: SEV2's monitoring promise is long past by now.
    result = await asyncio.to_thread(run_cli, "report", "--since", SINCE)
    assert result.exit_code == 0, result.output
    blocks = result.output.split("\n\n")
    assert blocks[0].startswith("Comms KPIs: incidents declared 2026-03-01 01:00 CET – ")
    assert blocks[1].splitlines() == [
        "Incidents",
        "ID            SEVERITY  DECLARED               FIRST PUBLIC  CADENCE MET  "
        "WAITED FOR APPROVAL  RESOLVED IN  REACHED  NAME",
        f"{told.sev1}  SEV1      2026-03-10 13:00 CET   4 min 10 s    50% (1/2)    "
        "10 min 10 s          1 h 5 min    4        API errors",
        f"{told.sev2}  SEV2      2026-04-04 15:06 CEST  30 s          0% (0/2)     "
        "—                    open         1        Slow dashboard",
    ]
    assert blocks[2].splitlines()[1:] == [
        "SEVERITY  INCIDENTS  RESOLVED  FIRST PUBLIC  CADENCE MET  APPROVAL WAIT  MTTR       "
        "SENT  DELIVERED  FAILED  REACHED",
        "SEV1      1          1         4 min 10 s    50% (1/2)    3 min 23 s     1 h 5 min  "
        "23    1          3       4",
        "SEV2      1          0         30 s          0% (0/2)     —              —          "
        "3     0          1       1",
    ]
    assert blocks[3].splitlines()[2:] == [
        "2026-03  SEV1      1          1         4 min 10 s    50% (1/2)    3 min 23 s     "
        "1 h 5 min  23    1          3",
        "2026-04  SEV2      1          0         30 s          0% (0/2)     —              "
        "—          3     0          1",
    ]
    assert f"{told.sev1}  sms      4     1          0       0" in blocks[4].splitlines()


async def test_the_json_of_the_command_is_the_documented_shape(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, run_cli: RunCli
) -> None:
    await tell(csvc, clock, providers, db_path)
    result = await asyncio.to_thread(run_cli, "report", "--since", SINCE, "--json")
    shape = json.loads(result.output)
    assert list(shape) == ["version", "since", "until", "time_zone", "incidents", "severities",
                           "months"]  # fmt: skip
    assert shape["since"] == "2026-03-01T00:00:00.000Z"
    assert [i["cadence"]["met_percent"] for i in shape["incidents"]] == [50.0, 0.0]
    assert shape["incidents"][1]["cadence"]["missed"] == 2  # by now, the real clock's


@pytest.mark.parametrize(
    ("since", "error"),
    [
        ("0d", "--since must be a span longer than 0 and at most 100 years"),
        ("5300w", "--since must be a span longer than 0 and at most 100 years"),
        ("yesterday", "--since 'yesterday' needs a time of day too, e.g. 'yesterday 09:00'"),
        ("soon", "malformed --since 'soon'"),
        ("+2h", "--since '+2h' is in the future ("),
    ],
)
def test_a_bad_since_is_refused_in_one_line(run_cli: RunCli, since: str, error: str) -> None:
    result = run_cli("report", "--since", since)
    assert result.exit_code == 2 and error in result.output


def test_a_page_without_incidents_says_so(run_cli: RunCli) -> None:
    result = run_cli("report")
    assert result.exit_code == 0
    assert result.output.endswith("\n\nNo incidents declared in this period.\n")
    assert json.loads(run_cli("report", "--json").output)["incidents"] == []


async def test_the_manage_api_answers_the_report_json_for_a_read_key(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await tell(csvc, clock, providers, db_path)
    _, key = await csvc.create_api_key("kpis", "read")
    page = (await csvc.page()).id
    headers = {"Authorization": f"OAuth {key}"}
    with serving(app_settings(db_path), clock) as url:
        base = f"{url}/v1/pages/{page}/reports/comms"
        default = await get(base, headers=headers)
        since = await get(base + "?since=2026-03-10T12:00:00Z", headers=headers)
        day = await get(base + "?since=1d", headers=headers)
        refused = [await get(base + f"?since={bad}", headers=headers)
                   for bad in ("0d", "2026-03-10", "soon", "2027-01-01T00:00:00Z")]  # fmt: skip
        anonymous = await get(base)
    assert default.status_code == since.status_code == 200
    assert since.json() == report_json(await csvc.comms_report(START))
    assert default.json()["since"] == "2026-01-04T14:26:00.000Z"  # 90 days back by default
    assert len(default.json()["incidents"]) == 2
    assert [i["name"] for i in day.json()["incidents"]] == ["Slow dashboard"]
    assert [r.status_code for r in refused] == [422] * 4
    assert refused[0].json() == {"error": "since must be a span longer than 0 and at most "
                                 "100 years, such as 90d (got '0d')"}  # fmt: skip
    assert "since must be a span such as 90d" in refused[1].json()["error"]
    assert "in the past" in refused[3].json()["error"]
    assert anonymous.status_code == 401


async def test_the_report_command_with_server_prints_the_servers_report(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path, run_cli: RunCli
) -> None:
    told = await tell(csvc, clock, providers, db_path)
    _, key = await csvc.create_api_key("kpis", "read")
    local = await asyncio.to_thread(run_cli, "report", "--since", SINCE)
    local_json = await asyncio.to_thread(run_cli, "report", "--since", SINCE, "--json")
    # The real clock, as the local command's; no plan, so no reminder of SEV2's overdue update.
    with serving(app_settings(db_path, comms_plan="off")) as url:
        remote = await asyncio.to_thread(
            CliRunner(env={"STATUSPAGE_TOKEN": key}).invoke,
            cli, ["--server", url, "report", "--since", SINCE],
        )  # fmt: skip
        remote_json = await asyncio.to_thread(
            CliRunner(env={"STATUSPAGE_TOKEN": key}).invoke,
            cli, ["--server", url, "report", "--since", SINCE, "--json"],
        )  # fmt: skip
    assert remote.exit_code == 0, remote.output
    # the same tables, but for the header's "until" (a moment later)
    assert remote.output.split("\n\n")[1:] == local.output.split("\n\n")[1:]
    assert told.sev1 in remote.output
    shape, expected = json.loads(remote_json.output), json.loads(local_json.output)
    assert {**shape, "until": None} == {**expected, "until": None}
