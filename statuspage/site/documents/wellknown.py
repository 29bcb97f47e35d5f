"""Site files: /robots.txt, /sitemap.xml, /.well-known/security.txt (RFC 9116), static assets.

The sitemap lists every page in every language (hreflang alternates, the negotiated address
as x-default); robots.txt points at it. Built once for all languages.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterator
from datetime import timedelta
from xml.sax.saxutils import escape

from statuspage import languages
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
    key = (base, sitemap_paths(ctx), languages.codes())
    yield Doc("/sitemap.xml", "application/xml; charset=utf-8", lambda: sitemap(ctx), key)
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
        f"Preferred-Languages: {', '.join(languages.codes())}\n"
        f"Canonical: {base}/.well-known/security.txt\n"
    )


def sitemap(ctx: BuildContext) -> str:
    """Every page in every language: one <url> per address (each language's tree and the
    negotiated one), each listing the others as hreflang alternates."""
    base = escape(ctx.snap.page.url.rstrip("/"))
    return sitemap_xml(base, sitemap_paths(ctx), languages.codes())


def sitemap_paths(ctx: BuildContext) -> tuple[str, ...]:
    incidents = ctx.snap.incidents[:SITEMAP_INCIDENTS]
    return ("/", "/history", "/uptime", *(f"/incidents/{i.id}" for i in incidents))


def sitemap_xml(base: str, paths: tuple[str, ...], codes: tuple[str, ...]) -> str:
    urls = []
    for path in paths:
        page = escape(path)
        addresses = [(code, f"{base}/{code}{page}") for code in codes]
        addresses.append(("x-default", base + page))
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{url}"/>'
            for code, url in addresses
        )
        urls += [f"<url><loc>{url}</loc>{links}</url>" for _, url in addresses]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:xhtml="http://www.w3.org/1999/xhtml">{"".join(urls)}</urlset>\n'
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
