"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on loopback, its webhook
receiver pointing at our server with a bearer key of scope alerts: alerts posted through its
API v2 move the component, and resolving them (endsAt in the past) restores it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from statuspage.service import Service
from statuspage.storage import Store
from tests.admin.conftest import serving
from tests.conftest import FakeClock
from tests.test_app import free_port

BINARY = "prometheus-alertmanager"
CONFIG = """\
route:
  receiver: statuspage
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: statuspage
    webhook_configs:
      - url: {url}/hooks/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {key}
"""


async def seed(db: Path) -> str:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store, FakeClock(datetime.now(UTC)))
        await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        await svc.add_component("API")
        await svc.add_component("Web")
        return (await svc.create_api_key("alertmanager", "alerts"))[1]
    finally:
        await store.close()


def until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)


def status(url: str, name: str) -> str:
    components = httpx.get(f"{url}/api/v2/components.json").json()["components"]
    return str(next(c["status"] for c in components if c["name"] == name))


@contextmanager
def running_alertmanager(tmp_path: Path, url: str, key: str) -> Iterator[str]:
    """Alertmanager on a loopback port, its webhook receiver sending to `url` with `key`."""
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(url=url, key=key))
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    proc = subprocess.Popen(
        [BINARY, f"--config.file={config}", f"--storage.path={tmp_path / 'am-data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    am = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _ready(am, proc), "Alertmanager to start", 30)
        yield am
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def served(db_path: Path) -> Iterator[tuple[str, str]]:
    """(our server's URL, a key of scope alerts)."""
    if shutil.which(BINARY) is None:
        pytest.skip(f"{BINARY} is not installed (`make tools` installs it)")
    key = asyncio.run(seed(db_path))
    with serving(db_path) as url:
        yield url, key


@pytest.fixture
def alertmanager(tmp_path: Path, served: tuple[str, str]) -> Iterator[tuple[str, str]]:
    """(Alertmanager's URL, our server's URL), both on loopback."""
    url, key = served
    with running_alertmanager(tmp_path, url, key) as am:
        yield am, url


def _ready(am: str, proc: subprocess.Popen[bytes]) -> bool:
    assert proc.poll() is None, "Alertmanager exited; see alertmanager.log"
    try:
        return httpx.get(f"{am}/-/ready", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def post_alert(am: str, labels: dict[str, str], ends: datetime) -> None:
    now = datetime.now(UTC)
    body = [{
        "labels": labels,
        "annotations": {"summary": "The API answers 5xx"},
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
        "endsAt": ends.isoformat(),
    }]  # fmt: skip
    response = httpx.post(f"{am}/api/v2/alerts", json=body, timeout=5)
    assert response.status_code == 200, response.text


def test_alerts_through_a_real_alertmanager_move_the_component_and_resolving_restores_it(
    alertmanager: tuple[str, str],
) -> None:
    am, url = alertmanager
    critical = {"alertname": "ApiDown", "severity": "critical", "statuspage_component": "API"}
    warning = {"alertname": "WebSlow", "severity": "warning", "statuspage_component": "Web"}
    in_an_hour = datetime.now(UTC) + timedelta(hours=1)
    post_alert(am, critical, in_an_hour)
    post_alert(am, warning, in_an_hour)
    until(lambda: status(url, "API") == "major_outage", "API to be major_outage")
    until(lambda: status(url, "Web") == "partial_outage", "Web to be partial_outage")
    post_alert(am, critical, datetime.now(UTC) - timedelta(seconds=1))  # resolved
    until(lambda: status(url, "API") == "operational", "API to be restored")
    assert status(url, "Web") == "partial_outage"  # its alert still fires


def failed_webhooks(am: str) -> float:
    metrics = httpx.get(f"{am}/metrics", timeout=5).text
    return sum(
        float(line.rpartition(" ")[2])
        for line in metrics.splitlines()
        if line.startswith("alertmanager_notifications_failed_total")
        and 'integration="webhook"' in line
    )


def test_an_alertmanager_with_a_wrong_key_is_refused_and_changes_nothing(
    tmp_path: Path, served: tuple[str, str]
) -> None:
    url, _ = served
    wrong = "sp_aaaaaaaaaaaa_" + "b" * 43
    with running_alertmanager(tmp_path, url, wrong) as am:
        labels = {"alertname": "ApiDown", "severity": "critical", "statuspage_component": "API"}
        post_alert(am, labels, datetime.now(UTC) + timedelta(hours=1))
        until(lambda: failed_webhooks(am) > 0, "Alertmanager to report the refused webhook")
    assert status(url, "API") == "operational"
