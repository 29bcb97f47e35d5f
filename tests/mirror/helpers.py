"""Building a Site from a seeded database, and mirroring it to a bucket."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from statuspage.config import Settings
from statuspage.events import Clock
from statuspage.mirror.mirror import Mirror, Policy
from statuspage.mirror.plan import Changes
from statuspage.mirror.purge import Purge
from statuspage.mirror.s3 import S3, bucket_from
from statuspage.site.artifacts import Site
from statuspage.site.builder import SiteBuilder
from statuspage.site.snapshot import SnapshotReader
from statuspage.storage import Store


def build_site(db_path: Path, clock: Clock, **settings: Any) -> Site:
    async def go() -> Site:
        store = await Store.open(db_path)
        try:
            snap = await SnapshotReader(store, clock).read()
        finally:
            await store.close()
        return SiteBuilder(Settings(db=db_path, **settings)).build(snap)

    return asyncio.run(go())


def make(bucket: str, environ: dict[str, str], purge: Purge | None = None, **policy: Any) -> Mirror:
    values: dict[str, Any] = {"backoff": 0.01, "backoff_max": 0.05}
    values.update(policy)
    return Mirror(S3(bucket_from(f"s3://{bucket}/site", environ)), Policy(**values), purge)


def sync(mirror: Mirror, site: Site) -> Changes:
    async def go() -> Changes:
        try:
            return await mirror.sync(site)
        finally:
            await mirror.s3.aclose()

    return asyncio.run(go())
