"""The README's links inside itself land where they say: every `(#anchor)` names one heading
(GitHub's slugs), and no two headings share a slug, so a link cannot land on the wrong one
(two "### Languages" sent the page's readers to the comms plan's languages)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def headings(text: str) -> list[str]:
    outside_code = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return [slug(h) for h in re.findall(r"^#{1,6} (.+)$", outside_code, re.M)]


def test_no_two_readme_headings_share_an_anchor() -> None:
    shared = [s for s, n in Counter(headings(README.read_text())).items() if n > 1]
    assert shared == []


def test_every_readme_link_to_an_anchor_names_a_heading() -> None:
    text = README.read_text()
    known = set(headings(text))
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links and [a for a in links if a not in known] == []
