"""The fields a Manage API body or query may hold: parsing (JSON or form) and their schema.

One declaration serves both the parser and the OpenAPI document, so the document says
exactly what the parser accepts: types, shapes, enumerated values, lengths, blank text,
required fields and the range of dates and times. The use cases check the rest (that a
component exists, that a URL is absolute, a state allows a change) with the CLI's messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from statuspage.errors import InvalidInput, StatuspageError
from statuspage.languages import canonical, codes
from statuspage.model import MAX_MESSAGE, MAX_TITLE
from statuspage.text import CONTROL_CLASS, SURROGATE, describe

MAX_INT = 1_000_000  # positions and page numbers; SQLite's integers end at 2**63
# Dates and times a body may hold. Outside them Python's datetimes overflow (year 1 with an
# offset, year 9999 plus a day) and stored times stop sorting as text (years before 1000);
# nothing a status page records lies before the Unix epoch or a thousand years ahead.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
FIRST_TIME = datetime.combine(FIRST_DAY, time(), UTC)
LAST_TIME = datetime.combine(LAST_DAY, time(23, 59, 59, 999999), UTC)
DAYS = f"from {FIRST_DAY} to {LAST_DAY}"
# The same years as patterns, so the document states them and generated data keeps to them;
# times also need the extended form (2026-11-23T14:00, not Python's 20261123T1400).
YEARS = r"(19[7-9]\d|2\d{3})"
DATE_PATTERN = rf"^{YEARS}-\d\d-\d\d$"
TIME_PATTERN = rf"^{YEARS}-\d\d-\d\d[Tt ]\d\d:\d\d"
TIMES = f"from {FIRST_DAY}T00:00:00Z to {LAST_DAY}T23:59:59Z"
# What str.strip() removes: a text of only these is blank. The same class serves the
# document's pattern (ECMA regex) and the parser (Python re), so both agree exactly.
_SPACE = "".join(f"\\u{c:04x}" for c in range(0x3001) if chr(c).isspace())
NOT_BLANK = f"[^{_SPACE}]"
_NOT_BLANK = re.compile(NOT_BLANK)
# What the document says of text: none of the characters statuspage.text refuses (control
# characters; lone surrogates are refused before any field is read), and for a required
# name, at least one character that is not a space.
TEXT = f"^[^{CONTROL_CLASS}]*$"
NON_BLANK_TEXT = f"^[^{CONTROL_CLASS}]*[^{_SPACE}{CONTROL_CLASS}][^{CONTROL_CLASS}]*$"
TYPES = (
    "string", "boolean", "integer", "datetime", "date", "list", "status_map", "object",
    "ids_or_all", "translations",
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    enum: tuple[str, ...] = ()
    nullable: bool = False
    max_length: int | None = None
    minimum: int = 1
    maximum: int = MAX_INT
    blank: bool = True  # False: a text of only spaces is refused (names, messages)
    # The use cases refuse values outside `enum` with the CLI's messages; True where nothing
    # else would (a filter the operation may ignore), so the parser refuses them itself.
    check_enum: bool = False
    extra: dict[str, Any] = field(default_factory=dict, hash=False)  # more of its schema


@dataclass(frozen=True)
class BodySpec:
    """A body wrapped in one object (`{"incident": {...}}`), plus any top-level fields."""

    wrapper: str
    fields: tuple[Field, ...]
    required: tuple[str, ...] = ()
    # Statuspage fields we accept and ignore (tweets): refusing them would break clients.
    ignored: tuple[str, ...] = ()
    top_level: tuple[Field, ...] = ()
    optional: bool = False  # the whole wrapper may be left out

    def parse(self, raw: Mapping[str, Any], *, form: bool) -> dict[str, Any]:
        """The fields given, converted; refuses unknown fields and wrong types."""
        refuse_surrogates(raw)
        if not self.wrapper:
            return self._required(_parse_fields(self.top_level, raw, "", form), form)
        unknown = [k for k in raw if k != self.wrapper and k not in _names(self.top_level)]
        if unknown:
            raise InvalidInput(
                f"unknown field {unknown[0]!r}; the body is {{{self.wrapper!r}: ...}}"
            )
        inner = raw.get(self.wrapper)
        if inner is None and form:
            inner = {}  # a form cannot say {"page": {}}: its empty body means just that
        if inner is None and not self.optional:
            raise StatuspageError(f"the body needs a {self.wrapper!r} object")
        if inner is not None and not isinstance(inner, dict):
            raise StatuspageError(f"{self.wrapper!r} must be an object")
        outside = {k: v for k, v in raw.items() if k != self.wrapper}
        values = _parse_fields(self.top_level, outside, "", form)
        values.update(_parse_fields(self.fields, inner or {}, self.wrapper, form, self.ignored))
        return self._required(values, form)

    def _required(self, values: dict[str, Any], form: bool) -> dict[str, Any]:
        if form:  # a form sends an empty list as nothing at all
            lists = {f.name for f in self.top_level + self.fields if f.type in _LISTS}
            values.update({name: () for name in self.required if name in lists} | values)
        missing = [name for name in self.required if values.get(name) is None]
        if missing:
            where = f"{self.wrapper}[{missing[0]}]" if self.wrapper else missing[0]
            raise InvalidInput(f"{where} is required")
        return values


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    description: str = ""
    enum: tuple[str, ...] = ()
    minimum: int = 1
    maximum: int = MAX_INT
    default: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def parse(self, raw: str | None) -> Any:
        if raw is None:
            return self.default
        spec = Field(self.name, self.type, minimum=self.minimum, maximum=self.maximum)
        value = convert(spec, raw, self.name, form=True)
        if self.enum and value not in self.enum:
            raise InvalidInput(f"{self.name} must be one of: {', '.join(self.enum)}")
        return value


def refuse_surrogates(body: object) -> None:
    """Refuse a lone surrogate (JSON "\\ud800") anywhere in a body, keys too, naming where.

    UTF-8 cannot carry one: not into the database, not even back in an error message, so
    it is refused before any field is read (other characters are checked by the model).
    Iterative: a deeply nested body must not exhaust the stack here.
    """
    pending: list[tuple[object, str]] = [(body, "")]
    while pending:
        value, where = pending.pop()
        if isinstance(value, str):
            found = SURROGATE.search(value)
            if found is not None:
                raise InvalidInput(
                    f"{where or 'the body'} contains {describe(found.group())} "
                    f"at position {found.start() + 1}"
                )
        elif isinstance(value, dict):
            # Last in, first out: a key is checked before its value's path shows it.
            for key, item in reversed(value.items()):
                pending.append((item, f"{where}[{key}]" if where else str(key)))
                pending.append((key, f"a field name in {where or 'the body'}"))
        elif isinstance(value, list):
            pending.extend((item, f"{where}[]") for item in reversed(value))


def _names(fields: tuple[Field, ...]) -> set[str]:
    return {f.name for f in fields}


def _parse_fields(
    fields: tuple[Field, ...],
    raw: Mapping[str, Any],
    wrapper: str,
    form: bool,
    ignored: tuple[str, ...] = (),
) -> dict[str, Any]:
    known = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{wrapper}[{key}]" if wrapper else key
        if key in ignored:
            continue
        if key not in known:
            accepted = ", ".join(sorted(known))
            raise InvalidInput(f"unknown field {where}; accepted: {accepted}")
        converted = convert(known[key], value, where, form=form)
        if converted is not None or known[key].type != "list":
            values[key] = converted  # a list given as null is as if left out
    return values


def convert(spec: Field, value: Any, where: str, *, form: bool) -> Any:
    """One value as its field's Python type; form values arrive as strings."""
    if form and value == "" and spec.type == "ids_or_all":
        return ()  # an empty list, as a form sends it
    # A form spells null as nothing or, as OpenAPI tools send it, `null`.
    if value is None or (form and value in ("", "null") and spec.type != "string"):
        if spec.nullable or spec.type in ("status_map", "list"):
            return None
        raise InvalidInput(f"{where} must not be null")
    if spec.type == "translations":
        return _translations(spec, value, where, form)
    converter = _CONVERTERS[spec.type]
    try:
        converted: Any = converter(value, form)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"{where} {_EXPECTED[spec.type]}") from exc
    _check(spec, converted, where)
    return converted


def _check(spec: Field, value: Any, where: str) -> None:
    """The constraints the document states beside the type."""
    if spec.type == "integer" and not spec.minimum <= value <= spec.maximum:
        raise InvalidInput(f"{where} must be between {spec.minimum} and {spec.maximum}")
    if spec.check_enum and value not in spec.enum:
        raise InvalidInput(f"{where} must be one of: {', '.join(spec.enum)}; not {value!r}")
    if spec.type == "datetime" and not FIRST_TIME <= value <= LAST_TIME:
        raise InvalidInput(f"{where} must be a time {TIMES}; not {value.isoformat()}")
    if spec.type == "date" and not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(f"{where} must be a day {DAYS}; not {value.isoformat()}")
    if isinstance(value, str):
        limit = spec.max_length
        if limit is not None and len(value) > limit:
            raise InvalidInput(f"{where} is {len(value)} characters long; the limit is {limit}")
        if not spec.blank and _NOT_BLANK.search(value) is None:
            raise InvalidInput(f"{where} must not be empty")


def _string(value: Any, form: bool) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _boolean(value: Any, form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.lower() in _BOOLEANS:
        return _BOOLEANS[value.lower()]
    raise TypeError


_BOOLEANS = {"true": True, "false": False}  # JSON's spellings: 1 and 0 read as integers


def _integer(value: Any, form: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 3.0 is an integer in JSON Schema
    if form and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise TypeError


def _datetime(value: Any, form: bool) -> datetime:
    if re.match(TIME_PATTERN, _string(value, form)) is None:
        raise ValueError(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date(value: Any, form: bool) -> date:
    if re.match(DATE_PATTERN, _string(value, form)) is None:
        raise ValueError(value)
    return date.fromisoformat(value)


def _list(value: Any, form: bool) -> tuple[str, ...]:
    if form and isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError
    return tuple(value)


def _status_map(value: Any, form: bool) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise TypeError
    out: dict[str, str | None] = {}
    for key, status in value.items():
        if form and status == "":
            status = None
        if status is not None and not isinstance(status, str):
            raise TypeError
        out[str(key)] = status
    return out


def _ids_or_all(value: Any, form: bool) -> str | tuple[str, ...]:
    """Statuspage's `subscribers`: a list of ids, or "all"."""
    if value == "all":
        return "all"
    return _list(value, form)


def _object(value: Any, form: bool) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError
    return value


def _translations(
    spec: Field, value: Any, where: str, form: bool
) -> dict[str, dict[str, str | None]]:
    """Ours: {language: {field: text or null}}; languages as their canonical tags (zh-CN is
    zh-Hans), each once; fields those of `spec.enum`. The use cases check the rest (the
    page's own language, control characters)."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} {_EXPECTED['translations']}")
    out: dict[str, dict[str, str | None]] = {}
    for raw, fields in value.items():
        here = f"{where}[{raw}]"
        language = canonical(str(raw))
        if language is None:
            choices = ", ".join(codes())
            raise InvalidInput(f"{here}: unknown language {raw!r}; choose one of {choices}")
        if language in out:
            raise InvalidInput(f"{here}: the {language} translation is given twice")
        if not isinstance(fields, dict) or not fields:
            raise InvalidInput(f"{here} must be an object of {', '.join(spec.enum)}")
        out[language] = {
            name: _translated_text(spec, name, text, f"{here}[{name}]", form)
            for name, text in fields.items()
        }
    return out


def _translated_text(spec: Field, name: str, text: Any, where: str, form: bool) -> str | None:
    if name not in spec.enum:
        raise InvalidInput(f"unknown field {where}; accepted: {', '.join(spec.enum)}")
    if text is None or (form and text == ""):
        return None  # removes the translation (a form spells null as nothing)
    if not isinstance(text, str):
        raise InvalidInput(f"{where} must be a string, or null to remove the translation")
    _check(Field(name, "string", max_length=translated_length(name), blank=False), text, where)
    return text


def translated_length(field: str) -> int:
    """The longest text of a translated field: a name is a title, the rest are messages."""
    return MAX_TITLE if field == "name" else MAX_MESSAGE


_CONVERTERS = {
    "string": _string,
    "boolean": _boolean,
    "integer": _integer,
    "datetime": _datetime,
    "date": _date,
    "list": _list,
    "status_map": _status_map,
    "object": _object,
    "ids_or_all": _ids_or_all,
}
_EXPECTED = {
    "string": "must be a string",
    "boolean": "must be true or false",
    "integer": "must be an integer",
    "datetime": f"must be an ISO-8601 time {TIMES}, such as 2026-11-23T14:00:00Z",
    "date": f"must be a day {DAYS}, such as 2026-11-23",
    "list": "must be a list of strings",
    "status_map": "must map component ids to component statuses",
    "object": "must be an object",
    "ids_or_all": 'must be a list of ids, or "all"',
    "translations": 'must map languages to texts, e.g. {"ru": {"name": "..."}}',
}


_LISTS = ("list", "ids_or_all")


def field_schema(spec: Field | QueryParam, *, form: bool = False) -> dict[str, Any]:
    """The JSON Schema of one field, as the OpenAPI document states it (for a form body:
    where one value is a list of one)."""
    if isinstance(spec, Field) and spec.type == "translations":
        return translations_schema(spec.enum, spec.description)
    schema = dict(_SCHEMAS[spec.type])
    if form and spec.type in _LISTS:
        schema = {"anyOf": [*schema.get("anyOf", [schema]), {"type": "string"}]}
    if spec.enum:
        schema["enum"] = list(spec.enum)
    if spec.type == "integer":
        schema.update(minimum=spec.minimum, maximum=spec.maximum)
    if isinstance(spec, QueryParam):
        schema.update(spec.extra)
    if spec.type == "date":
        schema["description"] = f"A day {DAYS}."
    if spec.type == "datetime":
        schema["description"] = f"A time {TIMES}; without an offset, UTC."
    if isinstance(spec, Field):
        if spec.max_length is not None:
            schema["maxLength"] = spec.max_length
        if spec.type == "string":
            schema["pattern"] = TEXT if spec.blank else NON_BLANK_TEXT
        if not spec.blank:
            schema["minLength"] = 1
            schema.setdefault("pattern", NOT_BLANK)
        schema.update(spec.extra)
        if spec.nullable or spec.type == "list":
            schema = {"anyOf": [schema, {"type": "null"}]}
    if spec.description:
        schema["description"] = " ".join(
            text for text in (spec.description, schema.get("description")) if text
        )
    return schema


def translations_schema(fields: tuple[str, ...], description: str = "") -> dict[str, Any]:
    """Ours: texts in other languages, {language: {field: text}}; null removes one where
    the operation allows it."""

    def text(name: str) -> dict[str, Any]:
        limit = translated_length(name)
        string = {"type": "string", "minLength": 1, "maxLength": limit, "pattern": NON_BLANK_TEXT}
        return {"anyOf": [string, {"type": "null"}]}

    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {name: text(name) for name in fields},
            "additionalProperties": False,
            "minProperties": 1,
        },
        "propertyNames": {"minLength": 1, "maxLength": 35},
        "examples": [{"ru": {name: "…" for name in fields}}],
    }
    if description:
        schema["description"] = description
    return schema


_STATUSES = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
]
_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "datetime": {"type": "string", "format": "date-time", "pattern": TIME_PATTERN},
    "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    "list": {"type": "array", "items": {"type": "string"}},
    "status_map": {
        "type": "object",
        "additionalProperties": {
            "anyOf": [{"type": "string", "enum": _STATUSES}, {"type": "null"}]
        },
    },
    "object": {"type": "object", "additionalProperties": {"type": "object"}},
    "ids_or_all": {
        "anyOf": [
            {"type": "string", "enum": ["all"]},
            {"type": "array", "items": {"type": "string"}},
        ]
    },
}
