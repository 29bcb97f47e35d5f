"""Site files: /robots.txt, /sitemap.xml, /.well-known/security.txt (RFC 9116), static assets."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterator
from datetime import timedelta
from xml.sax.saxutils import escape

from statuspage.resources import STATIC
from statuspage.site.artifacts import TEXT, Doc
from statuspage.site.context import BuildContext

SECURITY_TXT_LIFETIME = timedelta(days=180)
SITEMAP_INCIDENTS = 500  # the most recent; older ones stay reachable through /history
STATIC_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
}


def build(ctx: BuildContext) -> Iterator[Doc]:
    base = ctx.snap.page.url.rstrip("/")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n"
    yield Doc("/robots.txt", TEXT, lambda: robots)
    yield Doc("/sitemap.xml", "application/xml; charset=utf-8", lambda: sitemap(ctx))
    contact = security_contact(ctx.chrome.security_contact)
    if contact:
        yield Doc("/.well-known/security.txt", TEXT, lambda: security_txt(ctx, contact))
    yield from static_docs()


def security_contact(value: str) -> str:
    """A Contact: URI: mailto: for an e-mail address, a URL as it is, tel: kept."""
    value = value.strip()
    if not value:
        return ""
    if value.startswith(("https://", "http://", "mailto:", "tel:")):
        return value
    return "mailto:" + value if "@" in value else ""


def security_txt(ctx: BuildContext, contact: str) -> str:
    """RFC 9116: Contact and Expires are required; Expires stays well ahead (republished daily)."""
    expires = ctx.snap.today + SECURITY_TXT_LIFETIME
    base = ctx.snap.page.url.rstrip("/")
    return (
        f"Contact: {contact}\n"
        f"Expires: {expires.isoformat()}T00:00:00.000Z\n"
        f"Preferred-Languages: {ctx.renderer.locale}\n"
        f"Canonical: {base}/.well-known/security.txt\n"
    )


def sitemap(ctx: BuildContext) -> str:
    base = ctx.snap.page.url.rstrip("/")
    paths = ["/", "/history", "/uptime"]
    paths += [f"/incidents/{i.id}" for i in ctx.snap.incidents[:SITEMAP_INCIDENTS]]
    urls = "".join(f"<url><loc>{escape(base + p)}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


_STATIC: list[Doc] = []


def static_docs() -> list[Doc]:
    """Every file under statuspage/static/ at /static/..., and the favicon at /favicon.ico."""
    if not _STATIC:
        for path in sorted(STATIC.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            kind = (
                TYPES.get(path.suffix)
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream"
            )
            name = path.relative_to(STATIC).as_posix()
            _STATIC.append(
                Doc(f"/static/{name}", kind, _const(data), ("static", data), cache=STATIC_CACHE)
            )
            if name == "favicon.ico":
                _STATIC.append(
                    Doc("/favicon.ico", kind, _const(data), ("static", data), cache=STATIC_CACHE)
                )
    return _STATIC


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data
