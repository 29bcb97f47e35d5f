"""One mirror pass against a real S3 implementation (moto's server on loopback)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from statuspage.errors import MirrorError
from statuspage.mirror.mirror import Mirror, NotPublisher
from statuspage.mirror.plan import MANIFEST
from statuspage.mirror.s3 import S3
from statuspage.service import Service
from tests.conftest import FakeClock
from tests.mirror.conftest import Proxy, s3_client
from tests.mirror.helpers import build_site, make, sync
from tests.site_helpers import seed


@pytest.fixture
def page(db_path: Path, clock: FakeClock) -> Path:
    async def use(svc: Service) -> None:
        await svc.add_component("API")
        await svc.add_component("Web")

    seed(db_path, clock, use)
    return db_path


def _keys(moto_url: str, bucket: str) -> set[str]:
    listed = s3_client(moto_url).list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"] for o in listed}


def test_a_first_pass_uploads_every_object_with_its_type_cache_control_and_encoding(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], moto_url: str
) -> None:
    site = build_site(page, clock)
    done = sync(make(bucket, environ), site)
    keys = _keys(moto_url, bucket)
    assert {"site/index.html", "site/history", "site/api/v2/summary.json", "site/404.html",
            "site/static/style.css", f"site/{MANIFEST}"} <= keys  # fmt: skip
    assert len(done.uploads) == len(keys) - 1  # every object, then the manifest
    got = s3_client(moto_url).get_object(Bucket=bucket, Key="site/index.html")
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["ContentEncoding"] == "gzip"
    assert got["CacheControl"].startswith("public, max-age=10")
    assert gzip.decompress(got["Body"].read()) == site.variant("/", site.language).body
    summary = s3_client(moto_url).get_object(Bucket=bucket, Key="site/api/v2/summary.json")
    assert summary["ContentType"] == "application/json; charset=utf-8"
    names = [c["name"] for c in json.loads(gzip.decompress(summary["Body"].read()))["components"]]
    assert names == ["API", "Web"]


def test_identity_encoding_stores_the_bodies_as_they_are(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], moto_url: str
) -> None:
    site = build_site(page, clock)
    sync(make(bucket, environ, encoding="identity"), site)
    got = s3_client(moto_url).get_object(Bucket=bucket, Key="site/index.html")
    assert "ContentEncoding" not in got
    assert got["Body"].read() == site.variant("/", site.language).body


def test_a_second_pass_uploads_only_what_changed_and_in_order(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy
) -> None:
    mirror = make(bucket, environ)
    sync(mirror, build_site(page, clock))
    seed(page, clock, lambda svc: svc.set_component_status("API", "major_outage"))
    proxy.clear()
    changed = build_site(page, clock)
    sync(make_again(mirror), changed)
    puts = [p.removeprefix(f"/{bucket}/site/") for p in proxy.puts()]
    assert "static/style.css" not in puts and "history" not in puts  # unchanged
    assert {"api/v2/summary.json", "index.html"} <= set(puts)
    assert puts[-2:] == ["index.html", MANIFEST]  # the index last, then the manifest
    assert len(puts) < 12  # of some 40 objects


def make_again(mirror: Mirror) -> Mirror:
    """The same mirror's memory, on a new connection (each sync closes its own)."""
    mirror.s3 = S3(mirror.s3.bucket)
    return mirror


def test_assets_go_up_before_documents_pages_and_the_index(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy
) -> None:
    sync(make(bucket, environ), build_site(page, clock))
    puts = [p.removeprefix(f"/{bucket}/site/") for p in proxy.puts()]
    rank = [_rank(p) for p in puts]
    assert rank == sorted(rank), puts


def _rank(key: str) -> int:
    if key == MANIFEST:
        return 4
    if key == "index.html":
        return 3
    if key.startswith("static/") or key == "favicon.ico":
        return 0
    return 2 if "." not in key.rpartition("/")[2] or key.endswith(".html") else 1


def test_a_restarted_mirror_reads_the_bucket_and_uploads_nothing_new(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy,
    moto_url: str,
) -> None:  # fmt: skip
    site = build_site(page, clock)
    sync(make(bucket, environ), site)
    proxy.clear()
    assert sync(make(bucket, environ), site).empty
    assert proxy.puts() == []
    # Someone changed an object behind our back: the next start puts ours back.
    s3_client(moto_url).put_object(Bucket=bucket, Key="site/history", Body=b"defaced")
    redone = sync(make(bucket, environ), site)
    assert [i.key for i in redone.uploads] == ["history"]


def test_stale_keys_are_deleted_after_the_uploads_and_foreign_keys_are_kept(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy,
    moto_url: str,
) -> None:  # fmt: skip
    s3_client(moto_url).put_object(Bucket=bucket, Key="site/not-ours.txt", Body=b"keep me")
    sync(make(bucket, environ), build_site(page, clock))
    assert "site/uptime/" + _component_id(page, clock, "Web") in _keys(moto_url, bucket)

    async def drop(svc: Service) -> None:
        await svc.remove_component("Web")

    web = _component_id(page, clock, "Web")
    seed(page, clock, drop)
    proxy.clear()
    done = sync(make(bucket, environ), build_site(page, clock))
    assert f"uptime/{web}" in done.deletes
    keys = _keys(moto_url, bucket)
    assert f"site/uptime/{web}" not in keys
    assert "site/not-ours.txt" in keys
    methods = [m for m, p in proxy.log if m in ("PUT", "DELETE")]
    last_put = len(methods) - 1 - methods[::-1].index("PUT")
    assert methods.index("DELETE") > max(
        i for i, m in enumerate(methods[:last_put]) if m == "PUT"
    )  # deletes after every object's upload (only the manifest follows them)


def _component_id(db_path: Path, clock: FakeClock, name: str) -> str:
    async def find(svc: Service) -> str:
        return next(c.id for c in await svc.list_components() if c.name == name)

    return seed(db_path, clock, find)


def test_a_failing_store_is_retried_with_backoff_and_reported(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy,
    moto_url: str,
) -> None:  # fmt: skip
    proxy.fail_puts = 3
    mirror = make(bucket, environ, attempts=5)
    sync(mirror, build_site(page, clock))
    assert proxy.failed == 3
    assert mirror.status.retries == 3
    assert "site/index.html" in _keys(moto_url, bucket)


def test_a_pass_that_keeps_failing_raises_and_the_next_one_finishes_the_work(
    page: Path, clock: FakeClock, bucket: str, environ: dict[str, str], proxy: Proxy,
    moto_url: str,
) -> None:  # fmt: skip
    site = build_site(page, clock)
    proxy.fail_puts = 10_000
    mirror = make(bucket, environ, attempts=2, concurrency=1)
    with pytest.raises(MirrorError, match="HTTP 503"):
        sync(mirror, site)
    assert mirror.status.retries >= 2
    proxy.fail_puts = 0
    make_again(mirror)
    sync(mirror, site)
    assert "site/index.html" in _keys(moto_url, bucket)


def test_a_mirror_that_lost_the_publisher_lock_writes_nothing_and_rereads_on_regaining_it(
    page: Path,
    clock: FakeClock,
    bucket: str,
    environ: dict[str, str],
    proxy: Proxy,
    moto_url: str,
) -> None:
    mirror = make(bucket, environ)
    first = build_site(page, clock)
    sync(mirror, first)
    # The lock goes to another server, which writes the bucket: a changed page there.
    publishing = False
    mirror.active = lambda: publishing
    mirror.forget()
    s3_client(moto_url).put_object(Bucket=bucket, Key="site/history", Body=b"another server's")
    seed(page, clock, lambda svc: svc.set_component_status("API", "major_outage"))
    changed = build_site(page, clock)
    proxy.clear()
    with pytest.raises(NotPublisher):
        sync(make_again(mirror), changed)
    assert proxy.puts() == []  # not a single write while another server publishes
    # The lock comes back: the bucket is read again, so the page the other server changed
    # behind this mirror's back is put right, not trusted to its stale memory.
    publishing = True
    mirror.forget()
    sync(make_again(mirror), changed)
    puts = [p.removeprefix(f"/{bucket}/site/") for p in proxy.puts()]
    assert {"history", "api/v2/summary.json", "index.html"} <= set(puts)
    body = s3_client(moto_url).get_object(Bucket=bucket, Key="site/history")["Body"].read()
    assert body != b"another server's"
