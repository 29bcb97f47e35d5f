"""SVG status badges in the shields.io "flat" style, published like every other artifact.

- `/badges/status.svg`: the page's overall status ("status | operational").
- `/badges/components/{id}.svg`: one component's status, labelled with its name.
- `/badges/components/{id}/uptime-30d.svg` and `uptime-90d.svg`: its uptime over the last 30 or
  90 days (the figures of the uptime page: closed days plus today so far).

Badges are in English, as shields' are, and carry an ETag like every artifact, so a README
or a dashboard that embeds one revalidates cheaply. Text widths are estimated from Verdana's
advance widths at 11 px, as shields measures them (CJK and other wide characters count 11 px).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from xml.sax.saxutils import escape

from statuspage.model import Component, ComponentStatus
from statuspage.site.artifacts import Doc
from statuspage.site.context import BuildContext
from statuspage.site.uptime_view import Uptime
from statuspage.uptime import overall, percentage

SVG = "image/svg+xml; charset=utf-8"
WINDOWS = (30, 90)

# shields.io's named colours
BRIGHTGREEN, GREEN, YELLOWGREEN = "#4c1", "#97ca00", "#a4a61d"
YELLOW, ORANGE, RED, BLUE, GREY = "#dfb317", "#fe7d37", "#e05d44", "#007ec6", "#9f9f9f"

STATUS_BADGES = {
    ComponentStatus.OPERATIONAL: ("operational", BRIGHTGREEN),
    ComponentStatus.DEGRADED_PERFORMANCE: ("degraded performance", YELLOW),
    ComponentStatus.PARTIAL_OUTAGE: ("partial outage", ORANGE),
    ComponentStatus.MAJOR_OUTAGE: ("major outage", RED),
    ComponentStatus.UNDER_MAINTENANCE: ("under maintenance", BLUE),
}
INDICATOR_BADGES = {
    "none": ("operational", BRIGHTGREEN),
    "minor": ("minor outage", YELLOW),
    "major": ("partial outage", ORANGE),
    "critical": ("major outage", RED),
    "maintenance": ("maintenance", BLUE),
}
# (lowest uptime in percent, colour), best first
UPTIME_COLOURS = ((99.9, BRIGHTGREEN), (99.0, GREEN), (97.0, YELLOWGREEN), (95.0, YELLOW),
                  (90.0, ORANGE))  # fmt: skip


def build(ctx: BuildContext) -> Iterator[Doc]:
    message, colour = INDICATOR_BADGES.get(ctx.snap.status.indicator, ("unknown", GREY))
    yield _badge("/badges/status.svg", "status", message, colour)
    for component in ctx.snap.components:
        yield _component_badge(component)
        up = ctx.uptime.get(component.id)
        for days in WINDOWS:
            label, (text, tint) = f"uptime {days}d", uptime_message(up, days)
            path = f"/badges/components/{component.id}/uptime-{days}d.svg"
            yield _badge(path, label, text, tint)


def _component_badge(component: Component) -> Doc:
    message, colour = STATUS_BADGES[component.status]
    return _badge(f"/badges/components/{component.id}.svg", component.name, message, colour)


def uptime_message(up: Uptime | None, days: int) -> tuple[str, str]:
    """The message and colour of an uptime badge over the last `days` days."""
    figure = overall(up.days[-days:]) if up is not None else None
    if figure is None:
        return "no data", GREY
    value = percentage(figure)
    colour = next((c for floor, c in UPTIME_COLOURS if value >= floor), RED)
    return f"{value:.2f}%", colour


def _badge(path: str, label: str, message: str, colour: str) -> Doc:
    key = ("badge", label, message, colour)
    return Doc(path, SVG, lambda: svg(label, message, colour), key, cors=True)


def svg(label: str, message: str, colour: str) -> str:
    """A flat badge: a grey label and a coloured message, with an accessible name."""
    lw, mw = _box(label), _box(message)
    width = lw + mw
    title = escape(f"{label}: {message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img"'
        f' aria-label="{escape(title, {chr(34): "&quot;"})}"><title>{title}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb"'
        ' stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif"'
        ' text-rendering="geometricPrecision" font-size="110">'
        f"{_text(label, lw / 2)}{_text(message, lw + mw / 2)}</g></svg>"
    )


def _text(value: str, centre: float) -> str:
    x, length, text = round(centre * 10), round(text_width(value) * 10), escape(value)
    return (
        f'<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3"'
        f' transform="scale(.1)" textLength="{length}">{text}</text>'
        f'<text x="{x}" y="140" transform="scale(.1)" fill="#fff" textLength="{length}">'
        f"{text}</text>"
    )


def _box(value: str) -> int:
    """A part's width: the text and 5 px of padding on each side."""
    return round(text_width(value)) + 10


NARROW = {**dict.fromkeys("ijl|!.,:;'`", 3.1), **dict.fromkeys("Iftr()[]{}/\\-", 4.6)}
WIDE = {**dict.fromkeys("mwMW%", 10.7), **dict.fromkeys(" ", 3.9)}


def text_width(value: str) -> float:
    """Verdana 11 px, roughly: digits 7 px, lower case 6.6, capitals 7.6, CJK 11."""
    total = 0.0
    for char in value:
        if char in NARROW:
            total += NARROW[char]
        elif char in WIDE:
            total += WIDE[char]
        elif char.isdigit():
            total += 7.0
        elif char.isascii():
            total += 7.6 if char.isupper() else 6.6
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 11.0
        else:
            total += 7.2
    return total
