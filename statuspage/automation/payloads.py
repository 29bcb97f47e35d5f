"""The three webhook bodies read into signals; anything malformed is refused with the reason.

- Alertmanager's webhook (`version: "4"`): https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
- Grafana's unified alerting webhook: the same `alerts` list, plus orgId, values, ...
- The generic shape (README, "Alerts in"): `{"alerts": [{"status", "labels", ...}]}`.

Each alert: `status` firing or resolved, `labels` (text to text), optional `annotations`,
`fingerprint` (else a hash of the labels), `startsAt`/`endsAt` (RFC 3339). The severity is the
`severity` label (the generic shape may also give it as a field).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from statuspage.automation.signals import SEVERITY, Signal, fingerprint_of
from statuspage.errors import InvalidInput

MAX_ALERTS = 1000
MAX_TEXT = 1000
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time: "no end yet"


def parse(source: str, body: bytes) -> list[Signal]:
    """The signals in a webhook body from `source`; InvalidInput saying what is wrong."""
    readers: dict[str, Callable[[dict[str, Any]], list[Signal]]] = {
        "alertmanager": _alertmanager,
        "grafana": _grafana,
        "generic": _generic,
    }
    return readers[source](_object(_json(body), "the body"))


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not UTF-8 text") from exc
    except ValueError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from exc


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    names = {list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _alertmanager(body: dict[str, Any]) -> list[Signal]:
    version = body.get("version")
    if version != "4":
        raise InvalidInput(
            f"unsupported Alertmanager payload version {version!r}; this hook reads version "
            '"4" (Alertmanager 0.16 and later)'
        )
    return _alerts(body, "alertmanager")


def _grafana(body: dict[str, Any]) -> list[Signal]:
    if "alerts" not in body:
        raise InvalidInput(
            "no `alerts` list: this hook reads Grafana's unified alerting webhook (Grafana 8 "
            "and later); legacy dashboard alerts are not supported"
        )
    return _alerts(body, "grafana")


def _generic(body: dict[str, Any]) -> list[Signal]:
    return _alerts(body, "generic", generic=True)


def _alerts(body: dict[str, Any], source: str, *, generic: bool = False) -> list[Signal]:
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise InvalidInput(f"`alerts` must be a list of alerts, not {_kind(alerts)}")
    if len(alerts) > MAX_ALERTS:
        raise InvalidInput(f"at most {MAX_ALERTS} alerts at once, not {len(alerts)}")
    return [_alert(a, f"alerts[{i}]", source, generic) for i, a in enumerate(alerts)]


def _alert(value: Any, where: str, source: str, generic: bool) -> Signal:
    alert = _object(value, where)
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        raise InvalidInput(f"{where}.status must be firing or resolved, not {status!r}")
    labels = _texts(alert.get("labels"), f"{where}.labels", required=True)
    annotations = _texts(alert.get("annotations"), f"{where}.annotations")
    fingerprint = alert.get("fingerprint") or fingerprint_of(labels)
    if not isinstance(fingerprint, str) or len(fingerprint) > 200:
        raise InvalidInput(f"{where}.fingerprint must be text of at most 200 characters")
    severity = alert.get(SEVERITY) if generic and SEVERITY in alert else labels.get(SEVERITY, "")
    if not isinstance(severity, str):
        raise InvalidInput(f"{where}.severity must be text, not {_kind(severity)}")
    firing = status == "firing"
    return Signal(
        source=source,
        fingerprint=fingerprint,
        labels=labels,
        firing=firing,
        severity=severity.strip().lower(),
        summary=annotations.get("summary") or annotations.get("description") or "",
        at=_time(alert, "startsAt" if firing else "endsAt", where),
        annotations=annotations,
    )


def _texts(value: Any, where: str, *, required: bool = False) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping) or (required and not value):
        raise InvalidInput(
            f'{where} must be an object of text values, such as {{"alertname": "ApiDown"}}'
        )
    found: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(text, str) or len(text) > MAX_TEXT or len(key) > MAX_TEXT:
            raise InvalidInput(f"{where}.{key} must be text of at most {MAX_TEXT} characters")
        found[key] = text
    return found


def _time(alert: dict[str, Any], key: str, where: str) -> datetime | None:
    value = alert.get(key)
    if value in (None, "", ZERO_TIME):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key} must be an RFC 3339 time, not {_kind(value)}")
    try:
        parsed = datetime.fromisoformat(_trim_nanoseconds(value))
    except ValueError as exc:
        raise InvalidInput(f"{where}.{key} is not an RFC 3339 time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise InvalidInput(f"{where}.{key} needs a time zone offset: {value!r}")
    return parsed.astimezone(UTC)


def _trim_nanoseconds(value: str) -> str:
    """Go writes up to 9 fraction digits (2018-08-03T09:52:26.739266876+02:00); Python reads 6."""
    head, dot, rest = value.partition(".")
    if not dot:
        return value
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
