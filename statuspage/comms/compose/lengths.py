"""How long a message is, counted the way each network counts it.

SMS (3GPP TS 23.038 / 23.040): a message that uses only the GSM 03.38 alphabet is sent in
GSM-7: 160 septets in one segment, 153 per segment when split (the rest of each segment
holds the concatenation header). The extension characters (^ { } \\ [ ~ ] | € and form
feed) take two septets and are never split across segments. Any other character switches
the whole message to UCS-2: 70 UTF-16 code units alone, 67 per segment when split, and a
surrogate pair (an emoji, say) is never split either.

Social networks:
- X (twitter-text v3 rules): text is NFC-normalised; every URL counts 23; an emoji counts 2;
  other code points count 1 in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
  U+2032-U+2037, and 2 everywhere else (CJK, for instance). Approximation: URLs are found
  when written with http:// or https:// (twitter-text also finds bare domains), and an emoji
  is a grapheme cluster holding a pictographic code point (see `is_emoji`).
- Mastodon: graphemes, with every URL counted as 23 characters and a remote mention
  @user@domain counted as @user.
- Bluesky: graphemes of the text as written (URLs count in full), and at most 3000 bytes.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import grapheme

from statuspage.comms.plan.schema import Network

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
_GSM_BASIC = frozenset(GSM_BASIC)
_GSM_EXTENSION = frozenset(GSM_EXTENSION)

# Typographic characters replaced by GSM-7 look-alikes when smart encoding is on, as
# Twilio's Smart Encoding does; one curly apostrophe would otherwise cost half the space.
SMART_REPLACEMENTS = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "…": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "•": "-",
}  # fmt: skip
_SMART = str.maketrans(SMART_REPLACEMENTS)

GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # as the user sees them (code points)
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    non_gsm: tuple[str, ...] = ()  # the characters that forced UCS-2, first seen first


def smart_encode(text: str) -> str:
    """Replace typographic punctuation by GSM-7 look-alikes ("it’s" -> "it's")."""
    return text.translate(_SMART)


def is_gsm(char: str) -> bool:
    return char in _GSM_BASIC or char in _GSM_EXTENSION


@functools.lru_cache(maxsize=256)  # one event's SMS are mostly the same text
def sms_length(text: str) -> SmsLength:
    """Encoding, size and segment count of an SMS body."""
    non_gsm = tuple(dict.fromkeys(c for c in text if not is_gsm(c)))
    if not non_gsm:
        costs = [2 if c in _GSM_EXTENSION else 1 for c in text]
        return SmsLength("GSM-7", len(text), sum(costs), _segments(costs, GSM_SINGLE, GSM_MULTI))
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return SmsLength(
        "UCS-2", len(text), sum(costs), _segments(costs, UCS2_SINGLE, UCS2_MULTI), non_gsm
    )


def _segments(costs: list[int], single: int, multi: int) -> int:
    """Pack characters into segments; a two-unit character never straddles two segments."""
    if sum(costs) <= single:
        return 1 if costs else 0
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return segments


_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", re.UNICODE)
_X_ONE = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_PICTOGRAPHIC = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x2300, 0x23FF),
    (0x1F1E6, 0x1F1FF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
)
URL_LENGTH = 23


_EMOJI = re.compile("[\ufe0f" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _PICTOGRAPHIC) + "]")


def has_emoji(text: str) -> bool:
    return _EMOJI.search(text) is not None


def is_emoji(cluster: str) -> bool:
    """A grapheme cluster that shows as an emoji (pictographic code point or VS-16)."""
    return has_emoji(cluster)


def urls(text: str) -> list[tuple[int, int]]:
    """Spans of http(s) URLs, without the punctuation that usually ends a sentence."""
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def _replace_urls(text: str, placeholder: str) -> str:
    out, last = [], 0
    for start, end in urls(text):
        out += [text[last:start], placeholder]
        last = end
    return "".join([*out, text[last:]])


def x_length(text: str) -> int:
    """Weighted length as X (Twitter) counts it; the limit is 280."""
    text = unicodedata.normalize("NFC", text)
    spans = urls(text)
    edges = [0, *(i for span in spans for i in span), len(text)]
    pieces = [text[edges[i] : edges[i + 1]] for i in range(0, len(edges), 2)]
    return sum(_x_weight(piece) for piece in pieces) + URL_LENGTH * len(spans)


def _x_weight(text: str) -> int:
    if not has_emoji(text):
        return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _X_ONE) else 2 for c in text)
    total = 0
    for cluster in grapheme.graphemes(text):
        if is_emoji(cluster):
            total += 2
            continue
        for char in cluster:
            total += 1 if any(lo <= ord(char) <= hi for lo, hi in _X_ONE) else 2
    return total


def mastodon_length(text: str) -> int:
    """Length as Mastodon counts it: graphemes, URLs as 23, @user@domain as @user."""
    counted = _replace_urls(text, "x" * URL_LENGTH)
    counted = _REMOTE_MENTION.sub(r"@\1", counted)
    return int(grapheme.length(counted))


def bluesky_length(text: str) -> int:
    """Length as Bluesky counts it: graphemes (the limit is 300, and 3000 bytes)."""
    return int(grapheme.length(text))


BLUESKY_MAX_BYTES = 3000


@dataclass(frozen=True)
class SocialLength:
    network: Network
    length: int
    limit: int
    over_bytes: bool = False

    @property
    def fits(self) -> bool:
        return self.length <= self.limit and not self.over_bytes


def social_length(text: str, network: Network, limit: int) -> SocialLength:
    if network is Network.X:
        return SocialLength(network, x_length(text), limit)
    if network is Network.MASTODON:
        return SocialLength(network, mastodon_length(text), limit)
    over = len(text.encode("utf-8")) > BLUESKY_MAX_BYTES
    return SocialLength(network, bluesky_length(text), limit, over)
