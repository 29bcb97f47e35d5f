"""Reading a request body: JSON, or form-urlencoded with Rails-style bracket keys.

`incident[components][abc]=major_outage&incident[component_ids][]=abc` reads as
`{"incident": {"components": {"abc": "major_outage"}, "component_ids": ["abc"]}}`.
A key given more than once (`component_ids=a&component_ids=b`, OpenAPI's exploded form
arrays) reads as a list of its values, as `component_ids[]=a&component_ids[]=b` does.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from statuspage.errors import StatuspageError

MAX_BODY = 1_000_000
MAX_DEPTH = 6  # of a form key
MAX_JSON_DEPTH = 64  # of arrays and objects in a JSON body
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class UnsupportedMediaType(StatuspageError):
    http_status = 415


class BodyTooLarge(StatuspageError):
    http_status = 413


async def read_body(request: Request) -> tuple[dict[str, Any], bool]:
    """The body as a dict, and whether it came as a form (whose values are all strings)."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BodyTooLarge(f"the body is larger than {MAX_BODY} bytes")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not raw.strip():
        return {}, media == "application/x-www-form-urlencoded"
    if media == "application/json" or media.endswith("+json"):
        return parse_json(raw), False
    if media == "application/x-www-form-urlencoded":
        return parse_form(raw), True
    raise UnsupportedMediaType(
        "send the body as application/json or application/x-www-form-urlencoded"
    )


def parse_json(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StatuspageError(f"the body is not UTF-8 JSON: {exc}") from exc
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise StatuspageError(
            f"the body is nested {depth} levels deep; the limit is {MAX_JSON_DEPTH}"
        )
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise StatuspageError(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise StatuspageError("the body must be a JSON object")
    return value


_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, counted without recursion.

    json.loads recurses once per level, so a body nested 100,000 deep would exhaust the
    stack; this counts first, with linear string operations. Escapes are dropped first
    (backslash pairs, then escaped quotes), so every remaining quote opens or closes a
    string, and the brackets counted are those between strings. Up to the first place where
    `text` stops being JSON this reads it as json.loads does; past it the count does not
    matter, since json.loads stops there.
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    brackets = _NOT_BRACKETS.sub("", outside)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def parse_form(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StatuspageError(f"the body is not a valid form: {exc}") from exc
    out: dict[str, Any] = {}
    for key, value in pairs:
        _put(out, key, value)
    return out


def _put(out: dict[str, Any], key: str, value: str) -> None:
    match = _KEY.match(key)
    if match is None:
        raise StatuspageError(f"malformed form key {key!r}")
    path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    if len(path) > MAX_DEPTH:
        raise StatuspageError(f"form key {key!r} is nested too deeply")
    node = out
    for i, part in enumerate(path[:-1]):
        if part == "":
            raise StatuspageError(f"malformed form key {key!r}: [] must come last")
        child = node.setdefault(part, [] if path[i + 1] == "" else {})
        if path[i + 1] == "" and not isinstance(child, list):
            raise StatuspageError(f"form key {key!r} mixes a list with other values")
        if path[i + 1] != "" and not isinstance(child, dict):
            raise StatuspageError(f"form key {key!r} mixes an object with other values")
        if isinstance(child, list):
            child.append(value)
            return
        node = child
    last = path[-1]
    before = node.get(last)
    if isinstance(before, dict):
        raise StatuspageError(f"form key {key!r} mixes an object with other values")
    if isinstance(before, list):
        before.append(value)
    elif before is not None:
        node[last] = [before, value]  # a repeated key: a list (only list fields take it)
    else:
        node[last] = value
