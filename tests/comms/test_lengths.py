"""Message lengths counted as carriers and networks count them."""

from __future__ import annotations

import pytest

from statuspage.comms.compose.lengths import (
    bluesky_length,
    mastodon_length,
    smart_encode,
    sms_length,
    social_length,
    x_length,
)
from statuspage.comms.plan.schema import Network


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("ü" * 160, "GSM-7", 1),  # ü is in the GSM 03.38 alphabet
        ("ж" * 70, "UCS-2", 1),
        ("ж" * 71, "UCS-2", 2),
        ("ж" * 134, "UCS-2", 2),
        ("ж" * 135, "UCS-2", 3),
    ],
)
def test_sms_segments_follow_gsm7_and_ucs2_limits(text: str, encoding: str, segments: int) -> None:
    size = sms_length(text)
    assert (size.encoding, size.segments) == (encoding, segments)


def test_gsm7_extension_characters_take_two_septets_and_never_split() -> None:
    assert sms_length("€" * 80).segments == 1  # 160 septets
    assert sms_length("€" * 81).units == 162
    # 152 plain septets then an escape pair: the pair cannot straddle segments 1 and 2.
    assert sms_length("a" * 152 + "{" + "a" * 152).segments == 3
    assert sms_length("a" * 151 + "{" + "a" * 152).segments == 2


def test_one_character_outside_gsm7_switches_the_whole_message_to_ucs2() -> None:
    size = sms_length("Service restored. It’s back." + "a" * 60)
    assert size.encoding == "UCS-2" and size.non_gsm == ("’",) and size.segments == 2
    assert sms_length(smart_encode("Service restored. It’s back." + "a" * 60)).segments == 1


def test_an_emoji_is_two_ucs2_units_and_is_never_split() -> None:
    assert sms_length("😀" * 35).segments == 1
    assert sms_length("a" + "😀" * 33).units == 67
    assert sms_length("a" * 66 + "😀" + "a" * 10).segments == 2


def test_smart_encoding_replaces_typographic_punctuation() -> None:
    assert smart_encode("“Down” — it’s… fixed") == '"Down" - it\'s... fixed'


def test_x_counts_urls_as_23_emoji_as_2_and_cjk_as_2() -> None:
    assert x_length("a" * 280) == 280
    assert x_length("see https://status.example.com/incidents/abcdefghijkl/long/path") == 4 + 23
    assert x_length("😀") == 2 and x_length("👨‍👩‍👧") == 2
    assert x_length("中文") == 4
    assert x_length("e\u0301") == 1  # normalised to é first


def test_mastodon_counts_graphemes_urls_as_23_and_remote_mentions_by_name() -> None:
    assert mastodon_length("https://example.com/" + "x" * 100) == 23
    assert mastodon_length("@ops@mastodon.example thanks") == len("@ops thanks")
    assert mastodon_length("👨‍👩‍👧 é") == 3


def test_bluesky_counts_graphemes_and_urls_in_full() -> None:
    assert bluesky_length("👨‍👩‍👧") == 1
    assert bluesky_length("https://example.com/abc") == 23
    assert social_length("a" * 300, Network.BLUESKY, 300).fits
    assert not social_length("a" * 301, Network.BLUESKY, 300).fits
    assert not social_length("ж" * 1600, Network.BLUESKY, 5000).fits  # over 3000 bytes
