"""The mirror the settings ask for (STATUSPAGE_MIRROR), and running it beside the publisher."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any

from statuspage.config import Settings
from statuspage.events import Clock, utcnow
from statuspage.metrics.exporter import Metrics
from statuspage.mirror.mirror import Mirror, Policy
from statuspage.mirror.purge import Purge
from statuspage.mirror.s3 import S3, bucket_from
from statuspage.mirror.state import MirrorStatus, metric_families, write_status
from statuspage.site.publisher import Publisher

log = logging.getLogger("statuspage.mirror")


def status_file(settings: Settings) -> Path:
    """Where the server keeps the mirror's status for `statuspage mirror status`: beside an
    SQLite file; for a PostgreSQL database, in the temporary directory, named after it (the
    server that publishes writes it; `mirror status` reads it on that machine)."""
    db = settings.db
    if isinstance(db, Path):
        return db.with_name(db.name + "-mirror.json")
    digest = hashlib.sha256(str(db).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"statuspage-{digest}-mirror.json"


def make_mirror(
    settings: Settings, environ: Mapping[str, str], target: str = "", clock: Clock = utcnow
) -> Mirror:
    """A Mirror to `target` (default: STATUSPAGE_MIRROR), keys from the AWS_* variables."""
    policy = Policy(
        encoding=settings.mirror_encoding,
        public_url=settings.public_url,
        attempts=settings.mirror_attempts,
        backoff=settings.mirror_backoff,
        backoff_max=max(settings.mirror_backoff, settings.mirror_backoff_max),
        concurrency=settings.mirror_concurrency,
    )
    purge = Purge(
        template=settings.cdn_purge_url,
        method=settings.cdn_purge_method.upper(),
        cloudflare_zone=settings.cloudflare_zone,
        cloudflare_token=settings.cloudflare_token,
        cloudflare_api=settings.cloudflare_api_url,
    )
    s3 = S3(bucket_from(target or settings.mirror, environ))
    return Mirror(s3, policy, purge, clock)


def mirror_in_server(
    settings: Settings,
    environ: Mapping[str, str],
    publisher: Publisher,
    metrics: Metrics,
    clock: Clock = utcnow,
) -> Coroutine[Any, Any, None]:
    """Mirror every publish until cancelled (a task of the server's lifespan); off when
    STATUSPAGE_MIRROR is empty. Missing keys stop the start, in one line."""
    if not settings.mirror:
        return _nothing()
    mirror = make_mirror(settings, environ, clock=clock)
    path = status_file(settings)
    mirror.on_status = lambda status: _write(path, status)
    metrics.sources.append(lambda: metric_families(mirror.status, clock))
    # Once per change across the servers on one database: only the publisher uploads (it is
    # handed the site it serves when it becomes the publisher, then every new one).
    publisher.shared.append(mirror.offer)
    # Only while it holds the lock (checked before every call to the bucket); on gaining or
    # losing it, forget what the bucket was believed to hold: another server wrote it.
    mirror.active = lambda: publisher.is_publisher
    publisher.role_changes.append(lambda _publishing: mirror.forget())
    log.info("mirroring the site to %s", mirror.status.target)

    async def run() -> None:
        try:
            await mirror.run()
        finally:
            await mirror.s3.aclose()

    return run()


async def _nothing() -> None:
    return None


def _write(path: Path, status: MirrorStatus) -> None:
    try:
        write_status(path, status)
    except OSError:  # the status file is a convenience; mirroring goes on without it
        log.warning("cannot write the mirror status to %s", path, exc_info=True)
