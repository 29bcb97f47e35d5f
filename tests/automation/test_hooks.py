"""The hooks over HTTP: keys of scope alerts, the generic hook's signature, 401/403/400 with
nothing applied, and recorded Grafana and generic payloads changing the page."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.service import Service
from statuspage.storage import Store
from tests.automation.conftest import PAYLOADS
from tests.conftest import TEST_SECRET_KEY, FakeClock

HMAC_SECRET = TEST_SECRET_KEY


@dataclass
class Hooks:
    client: TestClient
    keys: dict[str, str]
    db: Path

    def post(
        self, source: str, body: bytes, key: str | None = "alerts", **headers: str
    ) -> httpx.Response:
        if key is not None:
            headers["Authorization"] = f"Bearer {self.keys[key]}"
        headers.setdefault("Content-Type", "application/json")
        return self.client.post(f"/hooks/alerts/{source}", content=body, headers=headers)

    def published_status(self, name: str, timeout: float = 10) -> str:
        """The component's status on the published API once it differs from operational."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.client.get("/api/v2/components.json").json()["components"]
            status = next(str(c["status"]) for c in found if c["name"] == name)
            if status != "operational" or time.monotonic() > deadline:
                return status
            time.sleep(0.02)

    def statuses(self) -> dict[str, str]:
        return dict(self._rows("SELECT name, status FROM components"))

    def applied(self) -> list[Any]:
        return self._rows("SELECT * FROM automation_alerts") + self._rows(
            "SELECT * FROM status_changes WHERE cause = 'automation'"
        )

    def _rows(self, sql: str) -> list[Any]:
        conn = sqlite3.connect(self.db)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()


async def seed(db: Path, clock: FakeClock) -> dict[str, str]:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store, clock)
        await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
        for name in ("API", "Web", "Dashboard"):
            await svc.add_component(name)
        return {
            s: (await svc.create_api_key(f"{s}-bot", s))[1] for s in ("alerts", "read", "admin")
        }
    finally:
        await store.close()


def make_hooks(db: Path, clock: FakeClock, **settings: Any) -> Iterator[Hooks]:
    keys = asyncio.run(seed(db, clock))
    options = {"api_rate_limit": 0, "tick_interval": 3600, "alerts_hmac_secret": HMAC_SECRET}
    app = create_app(Settings(db=db, **{**options, **settings}), clock)
    with TestClient(app) as client:
        yield Hooks(client, keys, db)


@pytest.fixture
def hooks(db_path: Path, clock: FakeClock) -> Iterator[Hooks]:
    yield from make_hooks(db_path, clock)


def test_a_recorded_grafana_payload_sets_components_and_its_resolution_restores_them(
    hooks: Hooks,
) -> None:
    response = hooks.post("grafana", (PAYLOADS / "grafana_firing.json").read_bytes())
    assert response.status_code == 200, response.text
    assert [(c["component"], c["to"]) for c in response.json()["changes"]] == [
        ("API", "major_outage"),
        ("Dashboard", "partial_outage"),
    ]
    assert hooks.statuses() == {
        "API": "major_outage",
        "Web": "operational",
        "Dashboard": "partial_outage",
    }
    assert hooks.published_status("API") == "major_outage"  # the page follows at once
    assert (
        hooks.post("grafana", (PAYLOADS / "grafana_resolved.json").read_bytes()).status_code == 200
    )
    assert set(hooks.statuses().values()) == {"operational"}


def test_an_alertmanager_payload_with_an_admin_key_is_taken_too(hooks: Hooks) -> None:
    body = json.loads((PAYLOADS / "alertmanager_firing.json").read_text())
    body["alerts"][0]["labels"]["statuspage_component"] = "Web"
    response = hooks.post("alertmanager", json.dumps(body).encode(), key="admin")
    assert response.status_code == 200 and hooks.statuses()["Web"] == "major_outage"


def sign(body: bytes, timestamp: int, secret: str = HMAC_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "X-Statuspage-Timestamp": str(timestamp),
        "X-Statuspage-Signature": f"sha256={digest.hexdigest()}",
    }


def test_the_generic_hook_takes_a_signed_body_without_a_key(hooks: Hooks) -> None:
    body = (PAYLOADS / "generic.json").read_bytes()
    response = hooks.post("generic", body, key=None, **sign(body, int(time.time())))
    assert response.status_code == 200, response.text
    assert hooks.statuses()["Web"] == "partial_outage"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no credentials at all
        {"Authorization": "Bearer sp_nothere00000_" + "x" * 43},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        sign((PAYLOADS / "generic.json").read_bytes(), int(time.time()), secret="another" * 8),
        sign((PAYLOADS / "generic.json").read_bytes(), int(time.time()) - 600),  # stale
        sign(b'{"alerts": []}', int(time.time())),  # signs another body
    ],
)
def test_bad_credentials_get_401_and_nothing_is_applied(
    hooks: Hooks, headers: dict[str, str]
) -> None:
    response = hooks.post("generic", (PAYLOADS / "generic.json").read_bytes(), key=None, **headers)
    assert response.status_code == 401, response.text
    assert "error" in response.json() and response.headers["www-authenticate"].startswith("Bearer")
    assert hooks.applied() == [] and set(hooks.statuses().values()) == {"operational"}


def test_a_signature_is_refused_where_no_secret_is_set(db_path: Path, clock: FakeClock) -> None:
    for hooks in make_hooks(db_path, clock, alerts_hmac_secret=""):
        body = (PAYLOADS / "generic.json").read_bytes()
        assert (
            hooks.post("generic", body, key=None, **sign(body, int(time.time()))).status_code == 401
        )
        assert hooks.applied() == []


def test_a_key_of_another_scope_gets_403_and_an_alerts_key_nothing_but_alerts(hooks: Hooks) -> None:
    response = hooks.post("grafana", (PAYLOADS / "grafana_firing.json").read_bytes(), key="read")
    assert response.status_code == 403
    assert "alerts need scope alerts" in response.json()["error"]
    assert hooks.applied() == []
    page = hooks.client.get("/api/v2/summary.json").json()["page"]["id"]
    manage = hooks.client.get(
        f"/v1/pages/{page}/components", headers={"Authorization": f"OAuth {hooks.keys['alerts']}"}
    )
    assert manage.status_code == 403


@pytest.mark.parametrize(
    ("source", "body", "reason"),
    [
        (
            "alertmanager",
            b'{"version": "3", "alerts": []}',
            "unsupported Alertmanager payload version",
        ),
        ("grafana", b"not json", "the body is not JSON"),
        (
            "generic",
            b'{"alerts": [{"status": "firing", "labels": {"statuspage_component": "API"}},'
            b' {"status": "maybe", "labels": {"a": "b"}}]}',
            "alerts[1].status must be firing or resolved",
        ),
    ],
)
def test_a_malformed_payload_gets_400_with_the_reason_and_nothing_is_applied(
    hooks: Hooks, source: str, body: bytes, reason: str
) -> None:
    response = hooks.post(source, body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert hooks.applied() == [] and set(hooks.statuses().values()) == {"operational"}


def test_a_body_over_the_cap_is_refused_before_it_is_read(hooks: Hooks) -> None:
    response = hooks.post("generic", b"{" + b" " * 1_000_001 + b"}")
    assert response.status_code == 413 and hooks.applied() == []


def test_with_automation_off_the_hooks_answer_503(db_path: Path, clock: FakeClock) -> None:
    for hooks in make_hooks(db_path, clock, automation="off"):
        response = hooks.post("grafana", (PAYLOADS / "grafana_firing.json").read_bytes())
        assert response.status_code == 503 and "automation is off" in response.json()["error"]
        assert hooks.post("grafana", b"{}", key=None).status_code == 401  # credentials first


def test_a_rules_file_that_does_not_validate_stops_the_start(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    broken = tmp_path / "rules.yaml"
    broken.write_text("version: 1\nrules:\n  - name: x\n    match: {a: b}\n    for: soon\n")
    with pytest.raises(Exception, match=r"rules.yaml:5:10: error: bad duration for rule 'x' for"):
        next(make_hooks(db_path, clock, automation=str(broken)))


def test_the_servers_ticker_applies_an_alert_once_its_for_is_over(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\ndefault_rule: {for: 2m, hold_down: 1m}\n")
    for hooks in make_hooks(db_path, clock, automation=str(rules), tick_interval=0.05):
        body = (PAYLOADS / "generic.json").read_bytes()
        assert hooks.post("generic", body).json()["pending"] == [
            "NightlyBackupLate (cron-backup-eu) on Web"
        ]
        time.sleep(0.3)  # a few ticks: nothing is due yet
        assert hooks.statuses()["Web"] == "operational"
        clock.advance(minutes=2)
        assert hooks.published_status("Web") == "partial_outage"
