"""What the bucket should hold for one published Site, and what to change to get there.

Object keys are the URL paths (`/history` -> `history`, `/ru/history` -> `ru/history`); a
path ending in `/` gets `index.html` (`/` -> `index.html`, `/ru/` -> `ru/index.html`), the
bucket website's index document. Each object carries its Content-Type and Cache-Control, so
a bucket website or a CDN serves it at the same URL as the server does (the static export
adds `.html` only because a file system has no Content-Type). `404.html` is the error page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from statuspage.languages import codes
from statuspage.site.artifacts import Artifact, Site

MANIFEST = ".statuspage-mirror.json"  # what we uploaded: fingerprints and ETags, by key
NOT_FOUND = "404.html"
INDEX_KEY = "index.html"  # the page's home in the default language: what a bucket serves at /
GZIP = "gzip"
# Upload order: static assets, then other documents (API, feeds, badges), pages, the index.
ASSET, DOCUMENT, PAGE, INDEX, ROOT = range(5)


@dataclass(frozen=True)
class Item:
    """One object as the bucket should hold it."""

    key: str
    url_path: str
    body: bytes
    headers: Mapping[str, str]
    fingerprint: str  # of the body and the headers: equal means "nothing to upload"
    tier: int


@dataclass(frozen=True)
class Known:
    """An object we uploaded: its fingerprint, and the ETag the store gave it."""

    fingerprint: str
    etag: str


@dataclass(frozen=True)
class Changes:
    uploads: tuple[Item, ...]  # in upload order
    deletes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.uploads and not self.deletes


def object_key(url_path: str) -> str:
    """The key (under the prefix) of a URL path: `/` -> index.html, `/a/b` -> a/b."""
    name = url_path.lstrip("/")
    return name + "index.html" if name == "" or name.endswith("/") else name


def url_path(key: str) -> str:
    """The URL path a key is served at (object_key's inverse): ru/index.html -> /ru/."""
    if key == "index.html" or key.endswith("/index.html"):
        return "/" + key.removesuffix("index.html")
    return "/" + key


def tier(key: str, content_type: str) -> int:
    if key == INDEX_KEY:
        return ROOT  # the home a bucket serves at /, after every language's home
    if key == "index.html" or key.endswith("/index.html") or key in codes():
        return INDEX  # the page's home, in each language (`/ru/` or `/ru`)
    if content_type.startswith("text/html"):
        return PAGE
    return ASSET if key.startswith("static/") or key == "favicon.ico" else DOCUMENT


def item(url_path: str, artifact: Artifact, encoding: str) -> Item:
    """The object for one artifact: gzip-encoded when asked and the artifact has it."""
    variant = artifact.gzip if encoding == GZIP and artifact.gzip is not None else None
    found = dict(artifact.identity.headers)
    headers = {
        "Content-Type": found[b"content-type"].decode(),
        "Cache-Control": found[b"cache-control"].decode(),
    }
    body = artifact.body
    if variant is not None:
        body, headers["Content-Encoding"] = variant.body, GZIP
    key = object_key(url_path)
    digest = hashlib.sha256(body)
    for name, value in sorted(headers.items()):
        digest.update(f"\n{name}: {value}".encode())
    return Item(
        key, url_path, body, headers, digest.hexdigest()[:32], tier(key, headers["Content-Type"])
    )


def items(site: Site, encoding: str) -> dict[str, Item]:
    """Every object of a Site, by key: its static files (Site.static_files: a bucket cannot
    negotiate; readers pick a language through the switcher, whose links lead into the
    trees). The 404 pages go up under their own names."""
    return {
        obj.key: obj
        for path, artifact in site.static_files().items()
        if artifact.status == 200 or path.endswith("/" + NOT_FOUND)
        for obj in [item(path, artifact, encoding)]
    }


def changes(wanted: Mapping[str, Item], known: Mapping[str, Known]) -> Changes:
    """Uploads (assets, documents, pages, the homes, the root one very last) and the keys
    to delete after."""
    uploads = [
        i for k, i in wanted.items() if k not in known or known[k].fingerprint != i.fingerprint
    ]
    uploads.sort(key=lambda i: (i.tier, i.key))
    deletes = sorted(k for k in known if k not in wanted)
    return Changes(tuple(uploads), tuple(deletes))


def still_there(manifest: Mapping[str, Known], listing: Mapping[str, str]) -> dict[str, Known]:
    """What we uploaded that the bucket still holds unchanged (its ETag is the one we got)."""
    return {k: v for k, v in manifest.items() if listing.get(k) == v.etag}
