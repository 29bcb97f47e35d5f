"""SiteBuilder: turns a snapshot into a Site, rebuilding only what changed.

Each artifact family (statuspage.site.documents) yields documents that carry a key of everything
they depend on; an unchanged key reuses the previous artifact whole. A document that fails to
build keeps serving its last good bytes (or a 503 stand-in), logged once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from functools import partial
from typing import Any

from statuspage.config import Settings
from statuspage.site.artifacts import (
    TEXT,
    Artifact,
    CachePolicy,
    Doc,
    Site,
    begin_artifact,
)
from statuspage.site.context import BuildContext
from statuspage.site.documents import api, badges, feeds, history, pages, uptime, wellknown
from statuspage.site.documents.error_pages import error_docs
from statuspage.site.documents.pages import branding_urls
from statuspage.site.render import Chrome, Renderer, asset_urls
from statuspage.site.snapshot import Snapshot
from statuspage.site.uptime_view import UptimeView

log = logging.getLogger("statuspage.publish")


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
            **branding_urls(snap.page),
        )

    def build(self, snap: Snapshot) -> Site:
        ctx = BuildContext(snap, self.uptime.compute(snap), self.chrome(snap), self.renderer)
        ctx.previous_memo = self._memo
        started: dict[str, Callable[[], Artifact]] = {}
        for name, source in SOURCES:
            docs, kept = self._documents(name, source, ctx)
            started.update((doc.path, self._start(doc)) for doc in docs)
            started.update((path, partial(_same, self._previous[path])) for path in kept)
        missing, broken = error_docs(ctx)
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
        return begin_artifact(
            stand_in, UNBUILT_BODY, "no-store", 503 if status == 200 else status
        )()

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
    ("history", history.build),
    ("uptime", uptime.build),
    ("API", api.build),
    ("feed", feeds.build),
    ("well-known", wellknown.build),
    ("badge", badges.build),
)
UNBUILT_BODY = b"503 Service Unavailable: this document could not be built; see the server log.\n"
_STAND_IN = ("stand-in",)  # the key of a 503 stand-in: never equal to a real document's key
_NEVER = object()
