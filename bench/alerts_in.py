"""Alerts in: from an alert arriving at the hook to the page showing the new status.

Starts `statuspage serve` (one worker, the fast path on) on a fresh page with one component and
a key of scope alerts; then N times: POST an Alertmanager payload to /hooks/alerts/alertmanager
(firing and resolved in turn, so the status changes every time) and poll the published
/api/v2/components.json until it shows the new status. Prints p50, p99 and max of that time.
Target: p99 < 1 s over 100 alerts. Run it with `make bench-alerts`.

    .venv/bin/python bench/alerts_in.py [N]
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statuspage.service import Service  # noqa: E402
from statuspage.storage import Store  # noqa: E402

BIN = ROOT / ".venv" / "bin"
TARGET_P99 = 1.0


async def seed(db: Path) -> str:
    store = await Store.open(db, create=True)
    try:
        svc = Service(store)
        await svc.ensure_page("Bench", "https://status.bench.test", "Etc/UTC")
        await svc.add_component("API")
        return (await svc.create_api_key("alertmanager", "alerts"))[1]
    finally:
        await store.close()


def payload(i: int, firing: bool) -> bytes:
    alert = {
        "status": "firing" if firing else "resolved",
        "labels": {"alertname": "ApiDown", "severity": "critical", "statuspage_component": "API"},
        "annotations": {"summary": "The API answers 5xx"},
        "startsAt": "2026-03-10T12:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z" if firing else "2026-03-10T12:05:00Z",
        "fingerprint": f"bench{i // 2}",
    }
    return json.dumps({"version": "4", "status": alert["status"], "alerts": [alert]}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shown(client: httpx.Client, url: str) -> str:
    components = client.get(f"{url}/api/v2/components.json").json()["components"]
    return str(components[0]["status"])


def measure(url: str, key: str, n: int) -> list[float]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    times: list[float] = []
    with httpx.Client(timeout=10) as client:
        for i in range(n):
            firing = i % 2 == 0
            want = "major_outage" if firing else "operational"
            start = time.perf_counter()
            response = client.post(f"{url}/hooks/alerts/alertmanager", content=payload(i, firing),
                                   headers=headers)  # fmt: skip
            response.raise_for_status()
            while shown(client, url) != want:
                if time.perf_counter() - start > 10:
                    raise SystemExit(f"alert {i}: the page did not show {want} within 10 s")
                time.sleep(0.001)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        key = asyncio.run(seed(db))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [BIN / "statuspage", "--db", str(db), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/api/v2/status.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            times = sorted(measure(url, key, n))
        finally:
            server.terminate()
            server.wait(timeout=10)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    verdict = "met" if p99 < TARGET_P99 else "MISSED"
    print(
        f"alerts in -> page shows it, {n} alerts: p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms "
        f"(target p99 < {TARGET_P99 * 1000:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
