"""The page's logo and accent colour, checked before anything is stored.

A logo is PNG, JPEG, WebP or SVG (recognised by its first bytes, not by its name), at most
MAX_LOGO bytes; an SVG with scripts, event handlers, external references or entities is
refused rather than cleaned (a cleaned file might not look as intended). An accent colour
must be readable as link text on the light page (WCAG AA, 4.5:1); the dark theme gets a
lighter shade of it, computed to meet AA on the dark page.
"""

from __future__ import annotations

import hashlib
import re

from statuspage.colours import AA_TEXT, contrast, normalise, parse_hex
from statuspage.errors import InvalidField
from statuspage.model import Logo

MAX_LOGO = 256 * 1024
# Links sit on the page (--bg) and on the footer (--bg-soft); the accent must read on both, so
# it is checked against the one it contrasts less with: --bg-soft in each theme of style.css.
LIGHT_BG = "#f6f8fa"  # style.css --bg-soft, light theme
DARK_BG = "#151b23"  # style.css --bg-soft, dark theme
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}
_SVG_DANGER = re.compile(
    rb"<\s*script|<\s*foreignObject|<!ENTITY|<!DOCTYPE|\son[a-z]+\s*=|javascript:"
    rb"|(?:xlink:)?href\s*=\s*[\"']\s*(?!#)|url\(\s*[\"']?\s*(?!#)",
    re.IGNORECASE,
)


def check_logo(data: bytes) -> Logo:
    """A logo from a file's bytes: its type by magic bytes, size-limited, SVG without scripts."""
    if not data:
        raise InvalidField("logo", "the logo file is empty")
    if len(data) > MAX_LOGO:
        raise InvalidField(
            "logo", f"the logo is {len(data) // 1024} KiB; at most {MAX_LOGO // 1024} KiB"
        )
    content_type = sniff(data)
    if content_type is None:
        raise InvalidField("logo", "the logo must be a PNG, JPEG, WebP or SVG image")
    if content_type == "image/svg+xml" and _SVG_DANGER.search(data):
        raise InvalidField(
            "logo",
            "the SVG logo contains scripts, event handlers, entities or external references; "
            "export it as plain SVG (or PNG) without them",
        )
    return Logo(content_type, data, hashlib.sha256(data).hexdigest())


def sniff(data: bytes) -> str | None:
    """The image type by the file's first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


def check_accent(text: str) -> str:
    """An accent colour as #rrggbb, refused when links in it would not meet AA on the page."""
    colour = normalise(text)
    ratio = contrast(colour, LIGHT_BG)
    if ratio < AA_TEXT:
        raise InvalidField(
            "accent",
            f"the accent {colour} has a contrast of {ratio:.1f}:1 on the light page; links "
            f"and buttons need at least {AA_TEXT}:1 (WCAG AA): choose a darker shade, "
            f"e.g. {darken(colour)}",
        )
    return colour


def dark_accent(colour: str) -> str:
    """The accent for the dark theme: the colour, lightened until it meets AA on the dark page."""
    return _mix_until(colour, "#ffffff", DARK_BG)


def darken(colour: str) -> str:
    """The colour, darkened until it meets AA on the light page (a suggestion)."""
    return _mix_until(colour, "#000000", LIGHT_BG)


def on(colour: str) -> str:
    """The text colour for a button in `colour`: white or near-black, whichever reads better."""
    return "#ffffff" if contrast(colour, "#ffffff") >= contrast(colour, "#0d1117") else "#0d1117"


def _mix_until(colour: str, towards: str, background: str) -> str:
    start, end = parse_hex(colour), parse_hex(towards)
    for step in range(21):
        t = step / 20
        parts = (round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        mixed = "#" + "".join(f"{v:02x}" for v in parts)
        if contrast(mixed, background) >= AA_TEXT:
            return mixed
    return towards


def logo_path(logo: Logo) -> str:
    """Where the logo is published: named by its hash, so it may be cached for ever."""
    return f"/static/logo-{logo.digest[:16]}.{EXTENSIONS.get(logo.content_type, 'img')}"


def accent_css(accent: str) -> str:
    """The stylesheet that paints links and buttons in the accent, in both themes."""
    if not accent:
        return ""
    dark = dark_accent(accent)
    return (
        f":root {{ --link: {accent}; --accent: {accent}; --on-accent: {on(accent)}; }}\n"
        "@media (prefers-color-scheme: dark) {\n"
        f"  :root {{ --link: {dark}; --accent: {dark}; --on-accent: {on(dark)}; }}\n"
        "}\n"
    )


def accent_path(css: str) -> str:
    return f"/static/accent-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
