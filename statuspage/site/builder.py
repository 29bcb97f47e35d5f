"""SiteBuilder: turns a snapshot into a Site, rebuilding only what changed.

Each artifact family (statuspage.site.documents) yields documents that carry a key of everything
they depend on; an unchanged key reuses the previous artifact whole. A document that fails to
build keeps serving its last good bytes (or a 503 stand-in), logged once.

The pages, history, uptime, feeds and error pages are built once per shipped language, each
with its own Renderer (and fragment caches and memos, kept between publishes), into that
language's tree: /ru/history, /zh-Hans/, /en/feed.json. Each tree's unprefixed path (/history)
is negotiated per request (statuspage.site.negotiation): its artifacts are the trees' bytes
with another Vary. The JSON API, the site files and the static assets are built once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from statuspage import languages
from statuspage.config import Settings
from statuspage.site.artifacts import (
    TEXT,
    Artifact,
    CachePolicy,
    Doc,
    Site,
    begin_artifact,
    negotiated_copy,
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
        self,
        settings: Settings,
        locale: str | None = None,
        subscribe_channels: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        self.subscribe_channels = subscribe_channels
        # A language the unprefixed paths default to instead of the page's (tests, tools).
        self.default = languages.tag(locale) if locale else None
        self.trees: dict[str, _Tree] = {}
        self.uptime = UptimeView()
        self.cache_control = CachePolicy(
            settings.cache_max_age,
            settings.cache_stale_while_revalidate,
            settings.cache_stale_if_error,
        ).header()
        self.assets = asset_urls()
        self._previous: dict[str, Artifact] = {}
        # What does not build (a path, or a source of documents), with the key it failed
        # at: logged once, re-rendered only when that key changes.
        self._failing: dict[str, Hashable | None] = {}
        self._sources: dict[str, set[str]] = {}
        self._copies: dict[str, tuple[Artifact, Artifact]] = {}  # by prefixed path
        self.partial = False  # the last build left trees of other languages as they were
        self._shared: tuple[Snapshot | None, set[str]] = (None, set())

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

    def build(self, snap: Snapshot, first: bool = False) -> Site:
        """The Site of a snapshot. `first`: only the default language's tree and the shared
        documents are brought up to date, the other trees keep their last artifacts (a quick
        publish for most readers; `partial` says a full build should follow)."""
        default = languages.canonical(self.default or snap.page.language) or languages.DEFAULT
        uptime, chrome = self.uptime.compute(snap), self.chrome(snap)
        started: dict[str, Started] = {}
        errors: dict[str, tuple[Started, Started]] = {}
        contexts: dict[str, BuildContext] = {}
        self.partial = False
        for code in languages.codes():
            tree = self._tree(code)
            later = first and code != default  # left for the full build that follows
            if tree.errors is not None and (later or tree.snap is snap):
                started.update({p: self._previous[p] for p in tree.paths})
                errors[code] = tree.errors
                self.partial = self.partial or tree.snap is not snap
                continue
            tree.snap = snap
            ctx = contexts[code] = BuildContext(snap, uptime, chrome, tree.renderer)
            ctx.previous_memo = tree.memo
            tree.paths = set()
            for name, source in TREE_SOURCES:
                in_tree = partial(_in_tree, source, tree)
                tree.paths |= self._run(f"{name} documents ({code})", in_tree, ctx, started)
            missing, broken = (_into(tree, doc, None) for doc in error_docs(ctx))
            errors[code] = self._start(missing, 404), self._start(broken, 500)
        self._shared_documents(snap, contexts.get(default), started)
        artifacts = {path: _done(found) for path, found in started.items()}
        error_pages = {code: (_done(four), _done(five)) for code, (four, five) in errors.items()}
        for code, ctx in contexts.items():
            self.trees[code].renderer.sweep()
            self.trees[code].memo = ctx.memo_used
        self._previous = {**artifacts}
        for code, (four, five) in error_pages.items():
            self._previous[four.path], self._previous[five.path] = four, five
            self.trees[code].errors = four, five
        not_found, server_error = error_pages[default]
        return Site(
            snap.revision, artifacts, not_found, server_error,
            negotiated=self._negotiated(artifacts), language=default, errors=error_pages,
        )  # fmt: skip

    def _shared_documents(
        self, snap: Snapshot, ctx: BuildContext | None, started: dict[str, Started]
    ) -> None:
        """The documents of every language, built with the default language's context
        (once per snapshot: a full build after a first one keeps them)."""
        built, paths = self._shared
        if ctx is None or built is snap:
            started.update({p: self._previous[p] for p in paths})
            return
        paths = set()
        for name, source in SHARED_SOURCES:
            paths |= self._run(f"{name} documents", source, ctx, started)
        self._shared = snap, paths

    def _tree(self, code: str) -> _Tree:
        tree = self.trees.get(code)
        if tree is None:
            tree = self.trees[code] = _Tree(Renderer(code))
        return tree

    def _run(
        self,
        name: str,
        source: Source,
        ctx: BuildContext,
        started: dict[str, Started],
    ) -> set[str]:
        """Start a source's documents; the paths it publishes (kept ones included)."""
        docs, kept = self._documents(name, source, ctx)
        started.update((doc.path, self._start(doc)) for doc in docs)
        started.update({path: self._previous[path] for path in kept})
        return {doc.path for doc in docs} | kept

    def _negotiated(self, artifacts: dict[str, Artifact]) -> dict[str, dict[str, Artifact]]:
        """Each unprefixed path of the trees, with its artifact per language (the tree's
        bytes, Vary on the language too); copies made by the last publish are reused."""
        negotiated: dict[str, dict[str, Artifact]] = {}
        copies: dict[str, tuple[Artifact, Artifact]] = {}
        previous = self._copies
        for code, tree in self.trees.items():
            cut = len(tree.prefix)
            for path in tree.paths:
                source = artifacts[path]
                found = previous.get(path)
                if found is not None and found[0] is source:
                    copies[path] = found
                else:
                    copies[path] = (source, negotiated_copy(source, path[cut:]))
                negotiated.setdefault(path[cut:], {})[code] = copies[path][1]
        self._copies = copies
        return negotiated

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
            self._failed(f"the {name}", None, "their last good versions")
            made = {doc.path for doc in docs}
            kept = {p for p in self._sources.get(name, set()) - made if p in self._previous}
        else:
            self._recovered(f"the {name}")
        self._sources[name] = {doc.path for doc in docs} | kept
        return docs, kept

    def _start(self, doc: Doc, status: int = 200) -> Started:
        """Begin `_artifact`, guarded: a document that does not build gets its `_fallback`."""
        if doc.key is not None and self._failing.get(doc.path, _NEVER) == doc.key:
            return self._fallback(doc, status)  # the same input fails again
        try:
            finish = self._artifact(doc, status)
        except Exception:
            return self._failed_doc(doc, status)
        if isinstance(finish, Artifact):
            if doc.path in self._failing:
                self._recovered(doc.path)
            return finish
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

    def _artifact(self, doc: Doc, status: int = 200) -> Started:
        """The previous artifact when nothing it shows changed, else one being compressed."""
        previous = self._previous.get(doc.path)
        if previous is not None and doc.key is not None and previous.key == doc.key:
            return previous
        rendered = doc.render()
        body = rendered.encode() if isinstance(rendered, str) else rendered
        if previous is not None and previous.body == body:
            kept = previous if previous.key == doc.key else replace(previous, key=doc.key)
            return kept
        return begin_artifact(doc, body, self.cache_control, status)


# An artifact, or one still being compressed (call it for the artifact): no wrapper for
# the thousands of documents a republish reuses as they are.
Started = Artifact | Callable[[], Artifact]


def _done(started: Started) -> Artifact:
    return started if isinstance(started, Artifact) else started()


class _Tree:
    """One language's tree: its Renderer (fragment caches included) and memos, kept between
    publishes."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.prefix = "/" + renderer.language
        self.memo: dict[Hashable, Any] = {}
        self.paths: set[str] = set()  # what the tree published last (prefixed paths)
        self.errors: tuple[Artifact, Artifact] | None = None  # its 404 and 500 pages
        self.snap: Snapshot | None = None  # the snapshot it was last built from


def _in_tree(source: Source, tree: _Tree, ctx: BuildContext) -> Iterator[Doc]:
    """A source's documents moved into a language's tree."""
    for doc in source(ctx):
        yield _into(tree, doc)


def _into(tree: _Tree, doc: Doc, page: str | None = "") -> Doc:
    """A document at its path in the tree (/history -> /ru/history, / -> /ru/), rendered with
    the renderer knowing that path (for the language links of the page; None for an error
    page, whose links lead to each tree's front page)."""
    # The constructor, not dataclasses.replace: thousands of documents a publish.
    return Doc(
        tree.prefix + doc.path,
        doc.content_type,
        partial(_rendered_at, tree.renderer, doc.path if page == "" else page, doc.render),
        doc.key,
        doc.cors,
        doc.cache,
        tree.renderer.language,
    )


def _rendered_at(
    renderer: Renderer, path: str | None, render: Callable[[], str | bytes]
) -> str | bytes:
    renderer.path = path
    try:
        return render()
    finally:
        renderer.path = None


Source = Callable[[BuildContext], Iterable[Doc]]
# Built per language, into each language's tree.
TREE_SOURCES: tuple[tuple[str, Source], ...] = (
    ("page", pages.build),
    ("history", history.build),
    ("uptime", uptime.build),
    ("feed", feeds.build),
)
# Built once: the same for every language.
SHARED_SOURCES: tuple[tuple[str, Source], ...] = (
    ("API", api.build),
    ("well-known", wellknown.build),
    ("badge", badges.build),
)
UNBUILT_BODY = b"503 Service Unavailable: this document could not be built; see the server log.\n"
_STAND_IN = ("stand-in",)  # the key of a 503 stand-in: never equal to a real document's key
_NEVER = object()
