"""The fields a Manage API body or query may hold: parsing (JSON or form) and their schema.

One declaration serves both the parser and the OpenAPI document, so the document says
exactly what the parser accepts. Enumerated values are checked by the use cases (with the
same messages as the CLI); the parser checks types and shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from statuspage.errors import InvalidInput, StatuspageError
from statuspage.text import SURROGATE, describe

MAX_INT = 1_000_000  # positions and page numbers; SQLite's integers end at 2**63
TYPES = (
    "string", "boolean", "integer", "datetime", "date", "list", "status_map", "object",
    "ids_or_all",
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
        unknown = [k for k in raw if k != self.wrapper and k not in _names(self.top_level)]
        if unknown:
            raise InvalidInput(
                f"unknown field {unknown[0]!r}; the body is {{{self.wrapper!r}: ...}}"
            )
        inner = raw.get(self.wrapper)
        if inner is None and not self.optional:
            raise StatuspageError(f"the body needs a {self.wrapper!r} object")
        if inner is not None and not isinstance(inner, dict):
            raise StatuspageError(f"{self.wrapper!r} must be an object")
        outside = {k: v for k, v in raw.items() if k != self.wrapper}
        values = _parse_fields(self.top_level, outside, "", form)
        values.update(_parse_fields(self.fields, inner or {}, self.wrapper, form, self.ignored))
        missing = [name for name in self.required if values.get(name) in (None, "")]
        if missing:
            raise InvalidInput(f"{self.wrapper}[{missing[0]}] is required")
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
        values[key] = convert(known[key], value, where, form=form)
    return values


def convert(spec: Field, value: Any, where: str, *, form: bool) -> Any:
    """One value as its field's Python type; form values arrive as strings."""
    if value is None or (form and value == "" and spec.type != "string"):
        if spec.nullable or spec.type == "status_map":
            return None
        raise InvalidInput(f"{where} must not be null")
    converter = _CONVERTERS[spec.type]
    try:
        converted: Any = converter(value, form)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where} {_EXPECTED[spec.type]}") from exc
    if spec.type == "integer" and not spec.minimum <= converted <= spec.maximum:
        raise InvalidInput(f"{where} must be between {spec.minimum} and {spec.maximum}")
    limit = spec.max_length
    if limit is not None and isinstance(converted, str) and len(converted) > limit:
        raise InvalidInput(f"{where} is {len(converted)} characters long; the limit is {limit}")
    return converted


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


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _integer(value: Any, form: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise TypeError


def _datetime(value: Any, form: bool) -> datetime:
    parsed = datetime.fromisoformat(_string(value, form))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date(value: Any, form: bool) -> date:
    return date.fromisoformat(_string(value, form))


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
    "datetime": "must be an ISO-8601 time such as 2026-11-23T14:00:00Z",
    "date": "must be a date such as 2026-11-23",
    "list": "must be a list of strings",
    "status_map": "must map component ids to component statuses",
    "object": "must be an object",
    "ids_or_all": 'must be a list of ids, or "all"',
}


def field_schema(spec: Field | QueryParam) -> dict[str, Any]:
    """The JSON Schema of one field, as the OpenAPI document states it."""
    schema = dict(_SCHEMAS[spec.type])
    if spec.enum:
        schema["enum"] = list(spec.enum)
    if spec.type == "integer":
        schema.update(minimum=spec.minimum, maximum=spec.maximum)
    if isinstance(spec, QueryParam):
        schema.update(spec.extra)
    if isinstance(spec, Field):
        if spec.max_length is not None:
            schema["maxLength"] = spec.max_length
        if spec.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
    if spec.description:
        schema["description"] = spec.description
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
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
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
