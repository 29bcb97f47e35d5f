"""Markdown in update bodies and postmortems, rendered to sanitised HTML.

markdown-it-py renders CommonMark with raw HTML disabled (it is shown as text); nh3 then keeps
only a small set of tags and attributes and http(s)/mailto links, so no script, event handler
or javascript: link can reach a reader, whatever the body holds.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "hr", "del", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Markdown to safe HTML.

    Example: render("**down**") -> Markup("<p><strong>down</strong></p>").
    """
    rendered = _md.render(_demote_headings(text))
    return Markup(  # noqa: S704 - nh3 has sanitised it
        nh3.clean(
            rendered,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes=SCHEMES,
            link_rel="nofollow noopener noreferrer",
        ).strip()
    )


@lru_cache(maxsize=8192)
def plain(text: str, limit: int = 200) -> str:
    """The text of a body without markup, cut at a word boundary (for summaries and tooltips)."""
    words = html.unescape(nh3.clean(_md.render(text), tags=set())).split()
    out = " ".join(words)
    if len(out) <= limit:
        return out
    return out[:limit].rsplit(" ", 1)[0] + "…"


def _demote_headings(text: str) -> str:
    # A body sits under the page's own h1/h2: its "# Title" becomes an h3.
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#") and len(line) - len(stripped) < 4:
            hashes = len(stripped) - len(stripped.lstrip("#"))
            if hashes <= 6 and stripped[hashes : hashes + 1] in (" ", ""):
                line = "#" * min(6, hashes + 2) + stripped[hashes:]
        lines.append(line)
    return "\n".join(lines)
