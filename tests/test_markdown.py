"""Markdown in update bodies: rendered, and sanitised against hostile input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from statuspage.markdown import plain, render

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)">',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="position:fixed">x</div>',
    "[x](vbscript:msgbox(1))",
]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markdown_renders_harmless(body: str) -> None:
    found = tags(str(render(body)))
    assert {tag for tag, _ in found} <= {"p", "a"}, found
    for _, attrs in found:
        assert set(attrs) <= {"href", "rel", "title"}, attrs
        href = (attrs.get("href") or "https:").strip().lower()
        assert href.startswith(("https:", "http:", "mailto:")), href


def test_common_markdown_is_kept() -> None:
    html = str(
        render("**Down** for *some* users; see [status](https://x.example/a?b=1).\n\n- one\n- two")
    )
    assert "<strong>Down</strong>" in html and "<em>some</em>" in html
    assert '<a href="https://x.example/a?b=1" rel="nofollow noopener noreferrer">status</a>' in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_headings_in_a_body_sit_below_the_page_headings() -> None:
    assert str(render("# Root cause")) == "<h3>Root cause</h3>"
    assert str(render("### Detail")) == "<h5>Detail</h5>"


def test_raw_html_is_shown_as_text() -> None:
    assert str(render("a <b>bold</b> claim")) == "<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>"


def test_plain_text_drops_markup_and_cuts_at_a_word() -> None:
    assert (
        plain("We are **investigating** <b>it</b> & more")
        == "We are investigating <b>it</b> & more"
    )
    assert plain("word " * 100, limit=20) == "word word word word…"
