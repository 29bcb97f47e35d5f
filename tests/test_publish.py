"""Published once per change: bytes from memory, ETags, encodings, cache headers, republishing."""

from __future__ import annotations

import gc
import gzip
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import brotli
import pytest

from statuspage.config import Settings
from statuspage.service import Service
from statuspage.site.artifacts import accepted_encodings, etag_matches
from statuspage.site.builder import SiteBuilder
from statuspage.site.render import Renderer
from statuspage.site.snapshot import SnapshotReader
from statuspage.storage import Store
from tests.conftest import FakeClock
from tests.site_helpers import client, seed, wait_for

PUBLISHED = [
    "/", "/history", "/uptime", "/api/v2/summary.json", "/history.atom", "/history.rss",
    "/feed.json", "/maintenance.ics", "/robots.txt", "/sitemap.xml",
]  # fmt: skip


async def _basic(svc: Service) -> str:
    await svc.add_component("API")
    incident = await svc.declare_incident(
        "API errors", message="Looking.", impact="minor", components=[("API", None)]
    )
    return incident.id


@pytest.fixture
def site(db_path: Path, clock: FakeClock) -> Any:
    incident_id = seed(db_path, clock, _basic)
    with client(db_path, clock, cache_max_age=7) as c:
        yield c, incident_id


def test_a_published_page_has_a_strong_etag_and_cdn_cache_control(site: Any) -> None:
    c, _ = site
    response = c.get("/", headers={"Accept-Encoding": "identity"})
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["cache-control"] == (
        "public, max-age=7, stale-while-revalidate=30, stale-if-error=86400"
    )
    assert response.headers["vary"] == "Accept-Encoding, Accept-Language, Cookie"  # negotiated
    assert c.get("/en/").headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert int(response.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize("path", PUBLISHED)
def test_if_none_match_gets_304_without_a_body(site: Any, path: str) -> None:
    c, _ = site
    first = c.get(path, headers={"Accept-Encoding": "gzip"})
    again = c.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_a_weak_or_listed_etag_matches_too(site: Any) -> None:
    c, _ = site
    etag = c.get("/", headers={"Accept-Encoding": "identity"}).headers["etag"]
    for header in (f"W/{etag}", f'"other", {etag}', "*"):
        response = c.get("/", headers={"Accept-Encoding": "identity", "If-None-Match": header})
        assert response.status_code == 304, header
    stale = c.get("/", headers={"Accept-Encoding": "identity", "If-None-Match": '"old"'})
    assert stale.status_code == 200


def test_the_encoding_follows_accept_encoding(site: Any) -> None:
    c, _ = site
    plain = c.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = c.get("/", headers={"Accept-Encoding": "gzip"}).headers
    assert zipped["content-encoding"] == "gzip"
    squeezed = c.get("/", headers={"Accept-Encoding": "gzip, br"}).headers
    assert squeezed["content-encoding"] == "br"
    refused = c.get("/", headers={"Accept-Encoding": "br;q=0, gzip"}).headers
    assert refused["content-encoding"] == "gzip"
    etags = {plain.headers["etag"], zipped["etag"], squeezed["etag"]}
    assert len(etags) == 3  # a strong ETag per representation


def test_the_compressed_bodies_decode_to_the_same_page(site: Any) -> None:
    c, _ = site
    plain = c.get("/", headers={"Accept-Encoding": "identity"}).content
    stream = c.stream  # read raw bytes, without httpx decoding them
    with stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as r:
        assert gzip.decompress(b"".join(r.iter_raw())) == plain
    with stream("GET", "/", headers={"Accept-Encoding": "br"}) as r:
        assert brotli.decompress(b"".join(r.iter_raw())) == plain


def test_head_sends_the_headers_without_a_body(site: Any) -> None:
    c, _ = site
    response = c.head("/api/v2/summary.json", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 100


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_published_addresses_are_read_only(site: Any, method: str) -> None:
    c, _ = site
    for path in ("/", "/api/v2/summary.json"):
        response = c.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "GET, HEAD"
    preflight = c.options("/api/v2/summary.json")  # CORS preflight still reaches the app
    assert preflight.status_code != 405


def test_a_trailing_slash_redirects_to_the_canonical_url(site: Any) -> None:
    c, _ = site
    response = c.get("/history/?x=1", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/history?x=1"


def test_requests_neither_render_nor_read_the_database(
    site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, incident_id = site

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request rendered a template or read the database")

    monkeypatch.setattr(Store, "read", forbidden)
    monkeypatch.setattr(Renderer, "page", forbidden)
    for path in [*PUBLISHED, f"/incidents/{incident_id}"]:
        assert c.get(path).status_code == 200, path


def test_a_change_by_another_connection_is_published_without_a_restart(
    db_path: Path, clock: FakeClock, run_cli: Any
) -> None:
    seed(db_path, clock, _basic)
    with client(db_path, clock) as c:
        before = c.get("/api/v2/components.json").json()["components"][0]["status"]
        result = run_cli("component", "set", "API", "major_outage")
        assert result.exit_code == 0, result.output

        def published() -> bool:
            body = c.get("/api/v2/components.json").json()
            return bool(body["components"][0]["status"] == "major_outage")

        wait_for(published, timeout=1.0)
    assert before == "degraded_performance"


def test_the_site_is_republished_when_the_day_rolls_over(db_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 22, 59, tzinfo=UTC))  # 23:59 in Berlin
    seed(db_path, clock, _basic)
    with client(db_path, clock) as c:
        publisher = c.app.state.published.publisher  # type: ignore[attr-defined]
        assert publisher.snapshot.today == date(2026, 3, 10)
        clock.advance(minutes=2)  # 00:01 on March 11 in Berlin; nothing in the database changed
        wait_for(lambda: publisher.snapshot.today == date(2026, 3, 11), timeout=2)
        assert "Mar 11, 2026" in c.get("/").text


def test_the_site_is_republished_when_a_maintenance_window_opens(db_path: Path) -> None:
    clock = FakeClock()

    async def plan(svc: Service) -> None:
        await svc.add_component("DB")
        now = svc.now()
        await svc.schedule_maintenance(
            "Upgrade", start=now + timedelta(minutes=5), end=now + timedelta(hours=1),
            components=["DB"], auto_start=False,
        )  # fmt: skip

    seed(db_path, clock, plan)
    with client(db_path, clock) as c:
        publisher = c.app.state.published.publisher  # type: ignore[attr-defined]
        taken = publisher.snapshot.taken_at
        clock.advance(minutes=6)
        wait_for(lambda: publisher.snapshot.taken_at > taken, timeout=2)


async def test_a_republish_reuses_every_artifact_whose_inputs_did_not_change(
    svc: Service, clock: FakeClock
) -> None:
    await svc.add_component("API")
    await svc.add_component("DB")
    first = await svc.declare_incident(
        "One", message="a", impact="minor", components=[("API", None)]
    )
    second = await svc.declare_incident(
        "Two", message="b", impact="minor", components=[("DB", None)]
    )
    reader, builder = SnapshotReader(svc.store, clock), SiteBuilder(Settings())
    before = builder.build(await reader.read())
    await svc.update_incident(second.id, message="c")
    after = builder.build(await reader.read())
    assert after.get(f"/incidents/{first.id}") is before.get(f"/incidents/{first.id}")
    assert after.get(f"/incidents/{second.id}") is not before.get(f"/incidents/{second.id}")
    assert after.get("/robots.txt") is before.get("/robots.txt")
    assert after.revision > before.revision


def test_accept_encoding_parsing_honours_q_values_and_wildcards() -> None:
    # Only the codings the artifacts come in count: br and gzip.
    assert accepted_encodings(b"gzip, deflate, br") == {"gzip", "br"}
    assert accepted_encodings(b"br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings(b"GZIP ; Q=0.5") == {"gzip"}
    assert accepted_encodings(b"*") == {"br", "gzip"}
    assert accepted_encodings(b"*, gzip;q=0") == {"br"}
    assert accepted_encodings(b"gzip;q=x, deflate") == set()
    assert accepted_encodings(b"") == set()


def test_accept_encoding_values_from_clients_are_not_kept() -> None:
    """Distinct values, short or huge, leave nothing behind; a huge one parses in linear time."""
    accepted_encodings(b"gzip")  # the cache and parser warmed up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(10_000):
            assert "gzip" in accepted_encodings(f"gzip;q=0.{n % 9 + 1}, x-{n}".encode())
        for n in range(200):
            assert "br" in accepted_encodings(b"br, " + str(n).encode() * 5_000)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 100_000  # bytes: 200 values of 25 KB were seen
    huge = b"gzip;q=0.5, " * 100_000 + b"br"  # 1.2 MB
    started = time.perf_counter()
    assert accepted_encodings(huge) == {"gzip", "br"}
    assert time.perf_counter() - started < 1.0


def test_etag_matching_uses_weak_comparison() -> None:
    assert etag_matches(b'W/"abc"', b'"abc"')
    assert etag_matches(b'"x", "abc"', b'"abc"')
    assert not etag_matches(b'"abcd"', b'"abc"')


def test_poke_republishes_at_once_after_a_change_in_this_process(
    db_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, _basic)
    with client(db_path, clock, poll_interval=60) as c:
        assert c.get("/api/v2/components.json").json()["components"][0]["status"] != "major_outage"
        seed(db_path, clock, lambda svc: svc.set_component_status("API", "major_outage"))
        c.app.state.published.publisher.poke()  # type: ignore[attr-defined]

        def published() -> bool:
            body = c.get("/api/v2/components.json").json()
            return bool(body["components"][0]["status"] == "major_outage")

        wait_for(published, timeout=2)
