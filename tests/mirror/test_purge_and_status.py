"""CDN purge hooks get the changed URLs; the mirror's status on /metrics and in the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

import pytest
from prometheus_client import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from statuspage.mirror.purge import Purge
from statuspage.mirror.state import MirrorStatus, metric_families, read_status, write_status
from statuspage.service import Service
from tests.conftest import START, FakeClock
from tests.mirror.conftest import PurgeStandIn
from tests.mirror.helpers import build_site, make, sync
from tests.site_helpers import seed


@pytest.fixture
def page(db_path: Path, clock: FakeClock) -> Path:
    async def use(svc: Service) -> None:
        await svc.add_component("API")

    seed(db_path, clock, use)
    return db_path


def test_the_purge_hooks_get_the_changed_urls(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str],
    purge_stand_in: PurgeStandIn,
) -> None:  # fmt: skip
    sync(make(bucket, environ), build_site(page, clock))
    seed(page, clock, lambda svc: svc.set_component_status("API", "major_outage"))
    purge = Purge(
        template=purge_stand_in.url + "/purge?url={url}",
        method="PURGE",
        cloudflare_zone="zone123",
        cloudflare_token="cf-token",
        cloudflare_api=purge_stand_in.url + "/client/v4",
    )
    mirror = make(bucket, environ, purge, public_url="https://status.acme.test")
    done = sync(mirror, build_site(page, clock))
    expected = {"https://status.acme.test" + i.url_path for i in done.uploads}
    assert "https://status.acme.test/" in expected
    template = [r for r in purge_stand_in.got if r[1].startswith("/purge")]
    assert {r[0] for r in template} == {"PURGE"}
    assert {unquote(r[1].partition("url=")[2]) for r in template} == expected
    cloudflare = [r for r in purge_stand_in.got if r[1].startswith("/client")]
    assert {r[1] for r in cloudflare} == {"/client/v4/zones/zone123/purge_cache"}
    assert {r[2]["Authorization"] for r in cloudflare} == {"Bearer cf-token"}
    assert {u for r in cloudflare for u in r[3]["files"]} == expected
    assert all(len(r[3]["files"]) <= 30 for r in cloudflare)


def test_a_refused_purge_is_counted_and_the_objects_stay_up(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str]
) -> None:
    purge = Purge(template="http://127.0.0.1:9/purge?u={url}")  # nothing listens there
    mirror = make(bucket, environ, purge, attempts=2)
    done = sync(mirror, build_site(page, clock))
    assert done.uploads and mirror.status.purge_failures == 1
    assert mirror.status.revision is not None


class _Families(Collector):
    def __init__(self, status: MirrorStatus, clock: FakeClock) -> None:
        self.status, self.clock = status, clock

    def collect(self):  # type: ignore[no-untyped-def]
        return metric_families(self.status, self.clock)


def test_metrics_show_the_revision_the_lag_and_the_failures(tmp_path: Path) -> None:
    clock = FakeClock()
    status = MirrorStatus("s3://b/", revision=7, wanted=9, behind_since=START, failures=2)
    clock.advance(seconds=12)
    registry = CollectorRegistry()
    registry.register(_Families(status, clock))
    text = generate_latest(registry).decode()
    assert "statuspage_mirror_revision 7.0" in text
    assert "statuspage_mirror_behind_seconds 12.0" in text
    assert "statuspage_mirror_failures_total 2.0" in text
    path = tmp_path / "status.json"
    write_status(path, status)
    assert read_status(path) == status
    assert read_status(tmp_path / "missing.json") is None


def test_the_mirror_loop_retries_a_failed_pass_with_the_newest_site(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: object
) -> None:
    from tests.mirror.conftest import Proxy

    assert isinstance(proxy, Proxy)
    site = build_site(page, clock)
    seen: list[MirrorStatus] = []

    async def go() -> None:
        mirror = make(bucket, environ, attempts=1)
        mirror.on_status = lambda s: seen.append(MirrorStatus.from_json(s.to_json()))
        proxy.fail_puts = 1
        task = asyncio.create_task(mirror.run())
        mirror.offer(site)
        for _ in range(500):
            if mirror.status.revision == site.revision:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        await mirror.s3.aclose()

    asyncio.run(go())
    assert seen[0].failing and "HTTP 503" in seen[0].last_error and seen[0].failures == 1
    assert seen[-1].revision == site.revision and not seen[-1].failing


def test_the_server_exports_the_mirrors_figures_on_metrics(
    page: Path, clock: FakeClock, bucket: str, moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuspage.mirror.plan import MANIFEST
    from tests.mirror.conftest import KEYS, s3_client
    from tests.site_helpers import client, wait_for

    for name, value in {**KEYS, "AWS_ENDPOINT_URL": moto_url}.items():
        monkeypatch.setenv(name, value)

    async def make_key(svc: Service) -> str:
        return (await svc.create_api_key("prometheus", "read"))[1]

    key = seed(page, clock, make_key)

    def mirrored() -> bool:
        listed = s3_client(moto_url).list_objects_v2(Bucket=bucket).get("Contents", [])
        return f"site/{MANIFEST}" in {o["Key"] for o in listed}

    with client(page, clock, metrics="key", mirror=f"s3://{bucket}/site") as http:
        wait_for(mirrored, timeout=10)
        text = http.get("/metrics", headers={"Authorization": f"Bearer {key}"}).text
    assert "statuspage_mirror_uploads_total" in text
    uploads = next(
        line for line in text.splitlines() if line.startswith("statuspage_mirror_uploads_total")
    )
    assert float(uploads.split()[-1]) > 10
    assert "statuspage_mirror_failures_total 0.0" in text
