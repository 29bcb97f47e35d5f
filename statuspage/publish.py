"""Publishing: one snapshot per change -> every public artifact, rendered once, served from memory.

Each server process polls Store.revision() (changes by any process, e.g. the CLI) and also
republishes when the day rolls over in the page's time zone (uptime bars move) and when a
maintenance window opens or closes. A republish renders only what changed: documents carry a
key of everything they depend on, and an unchanged key reuses the previous artifact whole.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from typing import Any, TypeVar, cast

from markupsafe import Markup
from starlette.applications import Starlette

from statuspage import api, feeds, history_pages, pages, uptime_pages, wellknown
from statuspage.artifacts import (
    TEXT,
    Artifact,
    CachePolicy,
    Doc,
    Site,
    begin_artifact,
    make_artifact,
)
from statuspage.config import Settings
from statuspage.events import Clock, utcnow
from statuspage.render import Chrome, Renderer, asset_urls
from statuspage.security_headers import SecurityHeaders
from statuspage.snapshot import Snapshot, SnapshotReader
from statuspage.storage import Store
from statuspage.uptime_view import Uptime, UptimeView

log = logging.getLogger("statuspage.publish")
T = TypeVar("T")
_tokens = itertools.count(1)
Scope = dict[str, Any]


@dataclass
class BuildContext:
    """What the document builders of one publish share."""

    snap: Snapshot
    uptime: Mapping[str, Uptime]
    chrome: Chrome
    renderer: Renderer
    _days: dict[tuple[date, str], str] = field(default_factory=dict)
    previous_memo: dict[Hashable, Any] = field(default_factory=dict)
    memo_used: dict[Hashable, Any] = field(default_factory=dict)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed in an earlier publish for the same key, or computed now."""
        if key in self.memo_used:
            return cast(T, self.memo_used[key])
        found = self.previous_memo[key] if key in self.previous_memo else compute()
        self.memo_used[key] = found
        return cast(T, found)

    def token(self, name: str, value: Hashable) -> int:
        """A small number that stays the same while `value` does (a cheap part of keys)."""
        return self.memo((name, value), lambda: next(_tokens))

    def _base(self) -> dict[str, Any]:
        return {
            "chrome": self.chrome,
            "tz": self.snap.tz,
            "locale": self.renderer.locale,
            "section": "",
        }

    def render(self, template: str, **context: Any) -> str:
        return self.renderer.page(template, **{**self._base(), **context})

    def fragment(self, key: Hashable, template: str, **context: Any) -> Markup:
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context})

    def lazy(self, key: Hashable, template: str, context: Callable[[], dict[str, Any]]) -> Markup:
        """Like `fragment`, computing the context only when the piece must be rendered."""
        return self.renderer.fragment(key, template, lambda: {**self._base(), **context()})

    def day(self, value: date, pattern: str = "MMM d, y") -> str:
        found = self._days.get((value, pattern))
        if found is None:
            found = self._days[(value, pattern)] = self.renderer.day(value, pattern)
        return found

    def month(self, value: date) -> str:
        return self.day(value, "LLLL y")


class SiteBuilder:
    """Turns snapshots into Sites, reusing whatever did not change since the previous one."""

    def __init__(
        self, settings: Settings, locale: str = "en", subscribe_channels: tuple[str, ...] = ()
    ) -> None:
        self.settings = settings
        self.subscribe_channels = subscribe_channels
        self.renderer = Renderer(locale)
        self.uptime = UptimeView()
        self.cache_control = CachePolicy(
            settings.cache_max_age,
            settings.cache_stale_while_revalidate,
            settings.cache_stale_if_error,
        ).header()
        self.assets = asset_urls()
        self._previous: dict[str, Artifact] = {}
        self._memo: dict[Hashable, Any] = {}
        # What does not build (a path, or a source of documents), with the key it failed
        # at: logged once, re-rendered only when that key changes.
        self._failing: dict[str, Hashable | None] = {}
        self._sources: dict[str, set[str]] = {}

    def chrome(self, snap: Snapshot) -> Chrome:
        s = self.settings
        return Chrome(
            name=snap.page.name,
            url=snap.page.url,
            time_zone=snap.page.time_zone,
            contact_email=s.contact_email,
            contact_url=s.contact_url,
            social_url=s.social_url,
            social_handle=s.social_handle,
            security_contact=wellknown.security_contact(s.security_contact or s.contact_email),
            assets=self.assets,
            subscribe_channels=self.subscribe_channels,
        )

    def build(self, snap: Snapshot) -> Site:
        ctx = BuildContext(snap, self.uptime.compute(snap), self.chrome(snap), self.renderer)
        ctx.previous_memo = self._memo
        started: dict[str, Callable[[], Artifact]] = {}
        for name, source in SOURCES:
            docs, kept = self._documents(name, source, ctx)
            started.update((doc.path, self._start(doc)) for doc in docs)
            started.update((path, partial(_same, self._previous[path])) for path in kept)
        missing, broken = pages.error_docs(ctx)
        errors = self._start(missing, 404), self._start(broken, 500)
        artifacts = {path: finish() for path, finish in started.items()}
        not_found, server_error = errors[0](), errors[1]()
        self.renderer.sweep()
        self._memo = ctx.memo_used
        self._previous = {**artifacts, missing.path: not_found, broken.path: server_error}
        return Site(snap.revision, artifacts, not_found, server_error)

    def _documents(
        self, name: str, source: Source, ctx: BuildContext
    ) -> tuple[list[Doc], set[str]]:
        """A source's documents, and the paths that keep their last artifacts because the
        source failed before it yielded them."""
        docs: list[Doc] = []
        kept: set[str] = set()
        try:
            docs.extend(source(ctx))
        except Exception:
            self._failed(f"the {name} documents", None, "their last good versions")
            made = {doc.path for doc in docs}
            kept = {p for p in self._sources.get(name, set()) - made if p in self._previous}
        else:
            self._recovered(f"the {name} documents")
        self._sources[name] = {doc.path for doc in docs} | kept
        return docs, kept

    def _start(self, doc: Doc, status: int = 200) -> Callable[[], Artifact]:
        """Begin `_artifact`, guarded: a document that does not build gets its `_fallback`."""
        if doc.key is not None and self._failing.get(doc.path, _NEVER) == doc.key:
            return partial(_same, self._fallback(doc, status))  # the same input fails again
        try:
            finish = self._artifact(doc, status)
        except Exception:
            return partial(_same, self._failed_doc(doc, status))
        return partial(self._finish, doc, finish, status)

    def _finish(self, doc: Doc, finish: Callable[[], Artifact], status: int) -> Artifact:
        try:
            artifact = finish()
        except Exception:
            return self._failed_doc(doc, status)
        self._recovered(doc.path)
        return artifact

    def _failed_doc(self, doc: Doc, status: int) -> Artifact:
        fallback = self._fallback(doc, status)
        serving = "a 503" if fallback.key is _STAND_IN else "its last good version"
        self._failed(doc.path, doc.key, serving)
        return fallback

    def _fallback(self, doc: Doc, status: int) -> Artifact:
        """What a document that does not build serves: its last good bytes; if it never
        built, a plain-text 503 (or its own error status) kept out of caches."""
        previous = self._previous.get(doc.path)
        if previous is not None and previous.key is not _STAND_IN:
            return previous
        stand_in = Doc(doc.path, TEXT, lambda: UNBUILT_BODY, _STAND_IN, doc.cors, "no-store")
        return make_artifact(stand_in, UNBUILT_BODY, "no-store", 503 if status == 200 else status)

    def _failed(self, what: str, key: Hashable | None, serving: str) -> None:
        """Log a failure (called while handling it) once, in one line, the traceback at
        DEBUG; again only after a build that worked."""
        if what not in self._failing:
            error = sys.exc_info()[1]
            said = " ".join(str(error).split())  # one line, whatever the exception says
            reason = f"{type(error).__name__}: {said}" if error else "unknown error"
            log.error("could not build %s (%s); serving %s until it builds", what, reason, serving)
            log.debug("the failure building %s", what, exc_info=True)
        self._failing[what] = key

    def _recovered(self, what: str) -> None:
        if self._failing.pop(what, _NEVER) is not _NEVER:
            log.info("%s builds again", what)

    def _artifact(self, doc: Doc, status: int = 200) -> Callable[[], Artifact]:
        """The previous artifact when nothing it shows changed, else one being compressed."""
        previous = self._previous.get(doc.path)
        if previous is not None and doc.key is not None and previous.key == doc.key:
            return partial(_same, previous)
        rendered = doc.render()
        body = rendered.encode() if isinstance(rendered, str) else rendered
        if previous is not None and previous.body == body:
            kept = previous if previous.key == doc.key else replace(previous, key=doc.key)
            return partial(_same, kept)
        return begin_artifact(doc, body, self.cache_control, status)


def _same(artifact: Artifact) -> Artifact:
    return artifact


Source = Callable[[BuildContext], Iterable[Doc]]
SOURCES: tuple[tuple[str, Source], ...] = (
    ("page", pages.build),
    ("history", history_pages.build),
    ("uptime", uptime_pages.build),
    ("API", api.build),
    ("feed", feeds.build),
    ("well-known", wellknown.build),
)
UNBUILT_BODY = b"503 Service Unavailable: this document could not be built; see the server log.\n"
_STAND_IN = ("stand-in",)  # the key of a 503 stand-in: never equal to a real document's key
_NEVER = object()


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
    ) -> None:
        self.store = store
        self.clock = clock
        self.reader = SnapshotReader(store, clock)
        self.builder = SiteBuilder(settings, subscribe_channels=subscribe_channels)
        self.published = published or Published()
        self.published.publisher = self
        self.snapshot: Snapshot | None = None
        self.last_seconds = 0.0
        self._due: datetime | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._frozen = False

    async def refresh(self) -> Site:
        """Read a snapshot and publish it (in a thread, so requests keep being served)."""
        async with self._lock:
            started = time.perf_counter()
            snap = await self.reader.read()
            site = await asyncio.to_thread(self.builder.build, snap)
            self.snapshot, self.published.site = snap, site
            self._due = next_due(snap)
            self.last_seconds = time.perf_counter() - started
            if not self._frozen:
                # The first site's objects live long: keep the cyclic GC from walking them on
                # every later collection (a pause in a republish otherwise).
                gc.freeze()
                self._frozen = True
            log.info("published revision %s in %.0f ms", snap.revision, self.last_seconds * 1000)
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

    def poke(self) -> None:
        """Ask for a republish now (after a change made in this process)."""
        self._wake.set()

    async def stale(self) -> bool:
        site = self.published.site
        if site is None or await self.store.revision() != site.revision:
            return True
        return self._due is not None and self.clock() >= self._due

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


class SiteApp(Starlette):
    """Starlette with the published site answered first, before any other middleware.

    Published URLs are most of the traffic in an outage: they skip the middleware stack
    (error handling included; there is nothing there that could fail). SecurityHeaders, around
    everything, adds the security headers to the responses that do not carry them precomputed.
    """

    def __init__(self, published: Published, **kwargs: Any) -> None:
        self.published = published
        super().__init__(**kwargs)
        self.state.published = published

    def build_middleware_stack(self) -> Any:
        return SecurityHeaders(SiteMiddleware(super().build_middleware_stack(), self.published))


class SiteMiddleware:
    """Answers GET/HEAD for published URLs straight from memory; everything else goes on.

    Under `statuspage serve` most such requests never get here: the HTTP protocol answers
    them itself (published_http.py). This is the way for the rest, and for in-process use.
    """

    def __init__(self, app: Any, published: Published) -> None:
        self.app = app
        self.published = published

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        site = self.published.site
        if site is not None and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            artifact = site.artifacts.get(path)
            if artifact is not None:
                await artifact.respond(scope, send)
                return
            if len(path) > 1 and path.endswith("/") and path.rstrip("/") in site.artifacts:
                await _redirect(send, path.rstrip("/"), scope.get("query_string", b""))
                return
        elif _writes_to_published(site, scope):
            await _not_allowed(send)
            return
        await self.app(scope, receive, send)


def _writes_to_published(site: Site | None, scope: Scope) -> bool:
    """A request that would change a published (read-only) address; CORS preflight goes on."""
    return (
        site is not None
        and scope["type"] == "http"
        and scope["method"] != "OPTIONS"
        and scope["path"] in site.artifacts
    )


async def _not_allowed(send: Any) -> None:
    body = b"405 Method Not Allowed: this address is read-only (GET, HEAD)\n"
    headers = [
        (b"allow", b"GET, HEAD"),
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 405, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Any, location: str, query: bytes) -> None:
    target = location.encode() + (b"?" + query if query else b"")
    headers = [
        (b"location", target),
        (b"content-length", b"0"),
        (b"cache-control", b"public, max-age=3600"),
    ]
    await send({"type": "http.response.start", "status": 301, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
