"""sRGB colours and WCAG 2.2 contrast: the banner's colours and the page's accent are checked here.

Pure functions; nothing of ours is imported, so the service (accent validation), the site and
the tests share one definition of "meets AA".
"""

from __future__ import annotations

import re

from statuspage.errors import InvalidField

AA_TEXT = 4.5  # WCAG 2.2 SC 1.4.3, normal text
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(text: str) -> tuple[int, int, int]:
    """#rgb or #rrggbb as (r, g, b): parse_hex("#0b5fff") == (11, 95, 255)."""
    if not _HEX.fullmatch(text.strip()):
        raise InvalidField(
            "accent",
            "A colour as #rgb or #rrggbb, e.g. #0b5fff.",
            f"the accent {text.strip()!r} is not a colour: write #rgb or #rrggbb, e.g. #0b5fff",
        )
    digits = text.strip()[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def normalise(text: str) -> str:
    """The canonical spelling of a hex colour: "#0B5" -> "#00bb55"."""
    return "#{:02x}{:02x}{:02x}".format(*parse_hex(text))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2) of a hex colour, 0 (black) to 1 (white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two hex colours, 1 to 21: contrast("#000", "#fff") == 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
