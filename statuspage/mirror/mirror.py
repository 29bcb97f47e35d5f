"""The mirror: keeps an S3 bucket equal to the published Site, in the background.

Each pass uploads only the objects whose fingerprint (body and headers) differs from what
we uploaded last (assets, then documents, pages, the index), deletes the keys we uploaded
that the site no longer has, writes the manifest (what is there now), then purges the
changed URLs from the CDN. A failed call is retried with backoff; a pass that still fails is
tried again later with the newest site. Publishing never waits for any of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from statuspage.errors import MirrorError
from statuspage.events import Clock, utcnow
from statuspage.mirror import plan
from statuspage.mirror.plan import Changes, Item, Known
from statuspage.mirror.purge import Purge
from statuspage.mirror.s3 import S3
from statuspage.mirror.state import MirrorStatus
from statuspage.site.artifacts import Site

log = logging.getLogger("statuspage.mirror")
T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    """How the mirror uploads and retries."""

    encoding: str = plan.GZIP
    public_url: str = ""  # the URLs a CDN purge names start with it
    attempts: int = 5  # tries of one call before the pass fails
    backoff: float = 1.0  # seconds before the first retry, doubling
    backoff_max: float = 60.0
    concurrency: int = 8  # uploads at once (within one tier)


class NotPublisher(MirrorError):
    """This server lost the publisher lock during a pass: the pass stops, not retried."""


class Mirror:
    """One bucket kept equal to the newest Site offered."""

    def __init__(
        self,
        s3: S3,
        policy: Policy,
        purge: Purge | None = None,
        clock: Clock = utcnow,
        on_status: Callable[[MirrorStatus], None] | None = None,
    ) -> None:
        self.s3 = s3
        self.policy = policy
        self.purge = purge or Purge()
        self.clock = clock
        self.on_status = on_status
        target = f"s3://{s3.bucket.name}/{s3.bucket.prefix}"
        self.status = MirrorStatus(target=target)
        self.known: dict[str, Known] | None = None  # None: not read from the bucket yet
        self._wanted: Site | None = None
        self._synced: Site | None = None
        self._wake = asyncio.Event()
        self._manifest_due = False
        self._offered_since: datetime | None = None
        # Whether this server may write the bucket now (the publisher's lock, on PostgreSQL);
        # asked before every call, so a server that lost the lock stops mid-pass.
        self.active: Callable[[], bool] = lambda: True

    def forget(self) -> None:
        """Drop what this mirror believes the bucket holds and what it was to upload: called
        when this server gains or loses the publisher lock (another server may have written
        the bucket meanwhile, so the next pass reads its manifest and listing again)."""
        self.known = None
        self._wanted = self._synced = None
        self._offered_since = None
        self._manifest_due = False

    def offer(self, site: Site | None) -> None:
        """Mirror this site soon (a publisher observer calls it); never waits."""
        if site is None or site is self._wanted:
            return
        self._wanted = site
        self._offered_since = self._offered_since or self.clock()
        if self.status.behind_since is None:
            self.status.behind_since = self._offered_since
        self.status.wanted = site.revision
        self._wake.set()

    async def run(self) -> None:
        """Mirror every site offered, forever; a failed pass is tried again with backoff."""
        failed = 0
        while True:
            await self._wake.wait()
            self._wake.clear()
            site = self._wanted
            if site is None or site is self._synced:
                continue
            self._offered_since = None  # offers from now on wait for a later pass
            try:
                await self.sync(site)
                failed = 0
            except NotPublisher:
                log.info("mirroring stopped: another server publishes now")
                failed = 0
            except MirrorError as exc:
                failed += 1
                self._failed(exc)
                log.warning("mirroring revision %s failed: %s", site.revision, exc)
                await asyncio.sleep(self._delay(failed))
                self._wake.set()

    async def sync(self, site: Site) -> Changes:
        """One pass: make the bucket hold this site; the changes made."""
        if self.known is None:
            self.known = await self._read_bucket()
        wanted = await asyncio.to_thread(plan.items, site, self.policy.encoding)
        todo = plan.changes(wanted, self._still_known())
        for tier in sorted({i.tier for i in todo.uploads}):
            await self._upload([i for i in todo.uploads if i.tier == tier])
        await self._each(todo.deletes, self._delete)
        if not todo.empty or self._manifest_due:
            await self._retry(lambda: self._write_manifest(site.revision))
        self._synced_to(site, todo)
        await self._purge(todo)
        return todo

    async def _read_bucket(self) -> dict[str, Known]:
        raw = await self._retry(lambda: self.s3.get(plan.MANIFEST))
        listing = await self._retry(self.s3.listing)
        if raw is None:
            self._manifest_due = True
            return {}
        return plan.still_there(read_manifest(raw), listing)

    async def _upload(self, batch: list[Item]) -> None:
        await self._each(batch, self._put)

    async def _put(self, obj: Item) -> None:
        etag = await self._retry(lambda: self.s3.put(obj.key, obj.body, obj.headers))
        self._still_known()[obj.key] = Known(obj.fingerprint, etag)
        self.status.uploads += 1

    async def _delete(self, key: str) -> None:
        await self._retry(lambda: self.s3.delete(key))
        self._still_known().pop(key, None)
        self.status.deletes += 1

    async def _each(self, things: Iterable[T], act: Callable[[T], Awaitable[None]]) -> None:
        gate = asyncio.Semaphore(self.policy.concurrency)

        async def one(thing: T) -> None:
            async with gate:
                await act(thing)

        results = await asyncio.gather(*(one(t) for t in things), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _retry(self, call: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, self.policy.attempts + 1):
            if not self.active():
                raise NotPublisher("this server no longer publishes")
            try:
                return await call()
            except MirrorError as exc:
                self.status.retries += 1
                self.status.last_error = str(exc)
                if attempt == self.policy.attempts:
                    raise
                await asyncio.sleep(self._delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _still_known(self) -> dict[str, Known]:
        """What the bucket holds, as this pass knows it; forgotten mid-pass (`forget`: the
        publisher lock went elsewhere), the pass stops."""
        if self.known is None:
            raise NotPublisher("this server no longer publishes")
        return self.known

    def _delay(self, attempt: int) -> float:
        return float(min(self.policy.backoff * 2 ** (attempt - 1), self.policy.backoff_max))

    async def _write_manifest(self, revision: int) -> None:
        body = manifest_bytes(revision, self.clock().isoformat(), self._still_known())
        headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
        await self.s3.put(plan.MANIFEST, body, headers)
        self._manifest_due = False

    def _synced_to(self, site: Site, todo: Changes) -> None:
        self._synced = site
        status = self.status
        status.revision, status.synced_at = site.revision, self.clock()
        # Behind only for what was offered after this pass took its site (None: in step).
        status.behind_since = None if site is self._wanted else self._offered_since
        status.last_error, status.failing = "", False
        self._report()
        if not todo.empty:
            log.info(
                "mirrored revision %s: %d uploaded, %d deleted",
                site.revision, len(todo.uploads), len(todo.deletes),
            )  # fmt: skip

    async def _purge(self, todo: Changes) -> None:
        if not self.purge.configured or todo.empty:
            return
        base = self.policy.public_url.rstrip("/")
        paths = [i.url_path for i in todo.uploads] + [plan.url_path(k) for k in todo.deletes]
        try:
            await self._retry(lambda: self.purge([base + p for p in paths]))
        except MirrorError as exc:  # the objects are there; the CDN catches up at max-age
            self.status.purge_failures += 1
            log.warning("CDN purge failed: %s", exc)
            self._report()

    def _failed(self, exc: MirrorError) -> None:
        self.status.failures += 1
        self.status.failing = True
        self.status.last_error = str(exc)
        self._report()

    def _report(self) -> None:
        if self.on_status is not None:
            self.on_status(self.status)


def manifest_bytes(revision: int, at: str, known: dict[str, Known]) -> bytes:
    objects = {k: [v.fingerprint, v.etag] for k, v in sorted(known.items())}
    return json.dumps({"revision": revision, "synced_at": at, "objects": objects}).encode()


def read_manifest(raw: bytes) -> dict[str, Known]:
    """The objects a manifest lists; an unreadable one lists none (all is uploaded again)."""
    try:
        objects = json.loads(raw)["objects"]
        return {str(k): Known(str(v[0]), str(v[1])) for k, v in objects.items()}
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}
