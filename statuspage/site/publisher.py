"""Publisher: keeps the served Site true to the database.

It republishes at once when a write in this process commits (the app connects the store's
after-commit sinks to `poke`), within a poll interval when another process (the CLI) wrote
(Store.revision() grows with every public change), and when the day rolls over in the page's
time zone (uptime bars move) or a maintenance window opens or closes.

Where built-in checks give components' uptime, their probes change the published figures
without a public change: a stored probe is a private write (no revision). The poll reads
where the probes stand too (`ProbeMark`): a check that changed state is republished at the
next poll; new probes alone at most once a `probe_every` (a minute), so 200 checks probing
every 30 s cost one republish a minute, of the documents whose figures moved.

Every server keeps its own copy of the site current (each serves it from memory). What must
happen once per change however many servers share the database (an upload to object storage,
a CDN purge: the `shared` sinks) happens only in the server holding the publisher lock
(`Store.holds("publisher")`: a PostgreSQL advisory lock; on SQLite a `flock` among the
worker processes). `elect`
keeps asking for it, so another server takes over within seconds when the holder dies.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time

from statuspage.config import Settings
from statuspage.events import Clock, utcnow
from statuspage.site.artifacts import Site
from statuspage.site.builder import SiteBuilder
from statuspage.site.snapshot import Snapshot, SnapshotReader
from statuspage.storage import Store

log = logging.getLogger("statuspage.publish")
PROBE_EVERY = timedelta(minutes=1)  # republishes for new probes alone, at most


class Published:
    """The Site a server process currently serves; swapped whole on every republish."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.publisher: Publisher | None = None


class Publisher:
    """Keeps `published.site` true to the database, within a poll interval."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock = utcnow,
        published: Published | None = None,
        subscribe_channels: tuple[str, ...] = (),
        uptime_feeds: Mapping[str, Sequence[str]] | None = None,
        probe_every: timedelta = PROBE_EVERY,
    ) -> None:
        """`uptime_feeds`: the checks whose probes give a component's uptime, by component
        name or id (statuspage.checks.uptime.uptime_feeds of the automation file)."""
        self.store = store
        self.clock = clock
        self.reader = SnapshotReader(store, clock, uptime_feeds)
        self.probe_every = probe_every
        self.builder = SiteBuilder(settings, subscribe_channels=subscribe_channels)
        self.published = published or Published()
        self.published.publisher = self
        self.snapshot: Snapshot | None = None
        self.last_seconds = 0.0  # the last publish, every language
        self.first_seconds = 0.0  # of which until the default language's pages were served
        self.observers: list[Callable[[float], None]] = []  # told each publish's seconds
        # Told each published Site, only while this server is the publisher, and the current
        # one when it becomes the publisher: side effects to happen once, not once per server.
        self.shared: list[Callable[[Site], None]] = []
        # Told when this server gains (True) or loses (False) the publisher lock, before the
        # site is shared: a shared step forgets what it believed of shared storage.
        self.role_changes: list[Callable[[bool], None]] = []
        self.is_publisher = False
        self._due: datetime | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._frozen = False

    async def refresh(self) -> Site:
        """Read a snapshot and publish it (in a thread, so requests keep being served)."""
        async with self._lock:
            started = time.perf_counter()
            snap = await self.reader.read()
            # The default language's tree first (most readers), then the other languages.
            site = await asyncio.to_thread(self.builder.build, snap, True)
            self.snapshot, self.published.site = snap, site
            self.first_seconds = time.perf_counter() - started
            if self.builder.partial:
                site = await asyncio.to_thread(self.builder.build, snap)
                self.published.site = site
            self._due = next_due(snap)
            self.last_seconds = time.perf_counter() - started
            for observe in self.observers:
                observe(self.last_seconds)
            if self.is_publisher:
                self._share(site)
            if not self._frozen:
                # The first site's objects live long: keep the cyclic GC from walking them on
                # every later collection (a pause in a republish otherwise).
                gc.freeze()
                self._frozen = True
            log.info(
                "published revision %s in %.0f ms (the default language in %.0f ms)",
                snap.revision, self.last_seconds * 1000, self.first_seconds * 1000,
            )  # fmt: skip
            return site

    async def start(self) -> None:
        """Publish before serving: again if a change landed meanwhile (a cold start is slow)."""
        for _ in range(3):
            try:
                if not await self.stale():
                    return
                await self.refresh()
            except Exception:  # e.g. no page yet: `run` logs it and keeps trying
                log.warning("nothing published yet; retrying in the background", exc_info=True)
                return

    def poke(self, revision: int | None = None) -> None:
        """Ask for a republish now: an EventSink for the store's commits in this process.

        The revision is not needed: the publisher reads the store's own when it wakes.
        """
        self._wake.set()

    async def stale(self) -> bool:
        site = self.published.site
        if site is None or await self.store.revision() != site.revision:
            return True
        if self._due is not None and self.clock() >= self._due:
            return True
        return await self._probes_moved()

    async def _probes_moved(self) -> bool:
        """Whether the probes behind the published uptime moved enough to republish: a
        check's state at once, new (or pruned) probes once `probe_every` has passed."""
        snap = self.snapshot
        if snap is None or snap.probe_mark is None:  # no check gives any uptime
            return False
        async with self.store.read() as q:
            mark = await q.probe_mark()
        if mark == snap.probe_mark:
            return False
        if mark.states != snap.probe_mark.states:
            return True
        return self.clock() >= snap.taken_at + self.probe_every

    async def run(self, interval: float) -> None:
        """Poll for changes forever; a failed publish is logged and tried again."""
        while True:
            await self._nap(interval)
            self._wake.clear()
            try:
                if await self.stale():
                    await self.refresh()
            except Exception:
                log.exception("publishing failed; serving the previous version meanwhile")
                await asyncio.sleep(max(interval, 1.0))

    async def elect(self, interval: float) -> None:
        """Take the publisher lock, or keep it, every `interval` seconds, forever."""
        while True:
            try:
                await self.campaign()
            except Exception:
                log.exception("could not ask for the publisher lock; again in %s s", interval)
            await asyncio.sleep(interval)

    async def campaign(self) -> bool:
        """Whether this server is the publisher now; one that just became it shares the
        Site it serves (the one before may have died before sharing it)."""
        held = await self.store.holds("publisher")
        if held and not self.is_publisher:
            self.is_publisher = True
            log.info("this server is the publisher: once-per-change steps (a mirror) run here")
            self._tell_role(True)
            if self.published.site is not None:
                self._share(self.published.site)
        elif not held and self.is_publisher:
            self.is_publisher = False
            log.warning("this server lost the publisher lock; another one publishes")
            self._tell_role(False)
        return held

    def _tell_role(self, publishing: bool) -> None:
        for told in self.role_changes:
            try:
                told(publishing)
            except Exception:
                log.exception("a step told of the publisher lock failed")

    def _share(self, site: Site) -> None:
        for sink in self.shared:
            try:
                sink(site)
            except Exception:  # one failing side effect neither stops the others nor serving
                log.exception("a shared publishing step failed")

    async def _nap(self, interval: float) -> None:
        # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancellation that races
        # its timeout, and the server would never stop.
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=interval)
        finally:
            waiter.cancel()


def next_due(snap: Snapshot) -> datetime:
    """When to republish without a change: next local midnight, or a maintenance boundary."""
    tomorrow = snap.today + timedelta(days=1)
    midnight = datetime.combine(tomorrow, clock_time(0), snap.tz)
    deadline = snap.next_deadline()
    return min(midnight, deadline) if deadline else midnight
