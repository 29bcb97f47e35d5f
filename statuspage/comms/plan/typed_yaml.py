"""Typed reading of the YAML tree: every wrong shape becomes an issue at its line and column."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import timedelta

from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar, Sequence

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
DURATION_HINT = "write durations like 30m, 1h, 1h30m or 2d"


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `1h`, `1h30m`, `2d`, `90s` -> timedelta; None when malformed or zero."""
    match = _DURATION.match(text.strip().replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return value if value > timedelta(0) else None


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration: 5400 s -> 1h30m."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"


def suggest(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint, or the list of accepted values."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "accepted: " + (", ".join(options) or "none defined")


class Reader:
    """Reads values of an expected shape; reports the others and returns None."""

    def __init__(self, issues: Issues) -> None:
        self.issues = issues

    def mapping(self, node: Node | None, what: str) -> Mapping | None:
        if node is None:
            return None
        if isinstance(node, Mapping):
            return node
        if isinstance(node, Scalar) and node.is_null:
            return Mapping(node.where, node.path)
        self.issues.error(node.where, f"{what} must be a mapping, not {node.kind}")
        return None

    def keys(
        self, m: Mapping, what: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> None:
        """Report unknown keys (with a suggestion) and missing required ones."""
        needed, allowed = list(required), set(required) | set(optional)
        for key, (key_node, _) in m.entries.items():
            if key not in allowed:
                self.issues.error(
                    key_node.where, f"unknown key {key!r} in {what}", suggest(key, allowed)
                )
        for key in needed:
            if key not in m.entries:
                self.issues.error(m.where, f"{what} has no {key!r}", f"add `{key}:`")

    def text(self, node: Node | None, what: str) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and not node.is_null and node.text.strip():
            return node.text.strip()
        kind = "empty" if isinstance(node, Scalar) else node.kind
        self.issues.error(node.where, f"{what} must be text, not {kind}")
        return None

    def integer(self, node: Node | None, what: str, minimum: int = 0) -> int | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and node.tag == "tag:yaml.org,2002:int":
            value = int(node.text.replace("_", ""), 0)
            if value >= minimum:
                return value
        self.issues.error(node.where, f"{what} must be a whole number of {minimum} or more")
        return None

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and node.tag == "tag:yaml.org,2002:bool":
            return node.text.lower() in ("true", "yes", "on", "y")
        self.issues.error(node.where, f"{what} must be true or false")
        return None

    def duration(self, node: Node | None, what: str) -> timedelta | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and not node.is_null:
            value = parse_duration(node.text)
            if value is not None:
                return value
            self.issues.error(node.where, f"bad duration {node.text!r} for {what}", DURATION_HINT)
            return None
        self.issues.error(node.where, f"{what} must be a duration such as 30m", DURATION_HINT)
        return None

    def words(self, node: Node | None, what: str) -> list[Scalar]:
        """A list of names; a single name is read as a list of one."""
        if node is None:
            return []
        items = node.items if isinstance(node, Sequence) else [node]
        found = []
        for item in items:
            if isinstance(item, Scalar) and not item.is_null and item.text.strip():
                found.append(item)
            else:
                self.issues.error(item.where, f"{what} must be a list of names")
        return found
