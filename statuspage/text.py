"""Published text: what a name or body may contain, checked once for every way in.

Everything a user writes ends up in HTML, JSON, XML feeds, iCalendar, e-mail and SMS.
XML 1.0 and RFC 5545 refuse control characters, and UTF-8 cannot encode a lone
surrogate (JSON "\\ud800", or bytes that are not UTF-8 on a command line), so one such
character would break every document that shows the text. They are refused at input.

Line endings: CRLF (what a browser's textarea sends) and a lone CR (old Mac text) both
become LF, as HTML's form submission does; tab and LF are kept.
"""

from __future__ import annotations

import re

from statuspage.errors import InvalidInput

# C0 controls but tab, LF and CR; DEL; C1 controls; surrogates (in a str they are always
# lone: a valid pair is one code point); U+FFFE and U+FFFF, which XML refuses too.
_CONTROLS = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xFFFE, 0xFFFF))
# The controls as the body of a regex character class written with \\u escapes, which both
# Python's re and ECMA regexes (JSON Schema patterns in the OpenAPI document) read alike.
# Surrogates are left out there: no UTF-8 text holds one, and regex engines refuse them.
CONTROL_CLASS = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _CONTROLS)
_REFUSED = re.compile(f"[{CONTROL_CLASS}\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?")
SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> str:
    """`value` with CRLF and CR as LF; InvalidInput naming `what` and the first bad character.

    Example: check_text("a\\x1bb", "incident name") raises "the incident name contains a
    control character (U+001B) at position 2".
    """
    found = _REFUSED.search(value)
    if found is not None:
        raise InvalidInput(
            f"the {what} contains {describe(found.group())} at position {found.start() + 1}"
        )
    return _NEWLINES.sub("\n", value)


def describe(char: str) -> str:
    """The kind of a refused character, with its code point: "a control character (U+001B)"."""
    point = ord(char)
    if 0xD800 <= point <= 0xDFFF:
        return f"a lone surrogate (U+{point:04X}: text that is not valid UTF-8)"
    if point in (0xFFFE, 0xFFFF):
        return f"a noncharacter (U+{point:04X})"
    return f"a control character (U+{point:04X})"


def publishable(value: str) -> str:
    """`value` without the characters `check_text` refuses: for text stored before it did
    (an old database), so that XML and iCalendar documents still build."""
    return _REFUSED.sub("", _NEWLINES.sub("\n", value))
