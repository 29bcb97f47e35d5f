"""The OpenAPI 3.1 document of the Manage API, generated from the operation table.

Request bodies and query parameters come from the same declarations the parser uses;
response shapes are stated here and checked against real responses by the test suite.
"""

from __future__ import annotations

import re
from typing import Any

from statuspage.admin.fields import BodySpec, field_schema
from statuspage.admin.operations import Operation
from statuspage.admin.shared import COMPONENT_STATUSES

Schema = dict[str, Any]
ERRORS = {
    400: "Malformed request (bad JSON or form, missing wrapper object)",
    401: "Missing, wrong or revoked API key",
    403: "The key's scope does not allow this",
    404: "No such page, component, group, incident, template or subscriber",
    409: "The current state refuses the change",
    413: "Body too large",
    415: "Body is neither JSON nor form-urlencoded",
    422: "A value is not acceptable",
    429: "Rate limit exceeded; see Retry-After",
}


def _t(*types: str, **extra: Any) -> Schema:
    return {"type": list(types) if len(types) > 1 else types[0], **extra}


STR, NSTR, BOOL, INT = _t("string"), _t("string", "null"), _t("boolean"), _t("integer")
TIME, NTIME = _t("string", format="date-time"), _t("string", "null", format="date-time")


def obj(props: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def translations(*fields: str) -> Schema:
    """Ours: texts in other languages, {language tag: {field: text}}."""
    return {
        "type": "object",
        "description": "Ours: the texts in other languages, by language tag (e.g. zh-Hans, "
        "ru); a language without a field here shows the page's own language there.",
        "additionalProperties": obj({f: STR for f in fields}) | {"required": []},
    }


COMPONENT = obj(
    {
        "id": STR,
        "name": STR,
        "status": _t("string", enum=list(COMPONENT_STATUSES)),
        "created_at": TIME,
        "updated_at": TIME,
        "position": INT,
        "description": NSTR,
        "showcase": BOOL,
        "start_date": _t("string", "null", format="date"),
        "group_id": NSTR,
        "page_id": STR,
        "group": BOOL,
        "only_show_if_degraded": BOOL,
        "translations": translations("name", "description"),
    }
)
AFFECTED = obj(
    {
        "code": STR,
        "name": STR,
        "old_status": _t("string", enum=list(COMPONENT_STATUSES)),
        "new_status": _t("string", enum=list(COMPONENT_STATUSES)),
    }
)
UPDATE = obj(
    {
        "id": STR,
        "status": STR,
        "body": STR,
        "incident_id": STR,
        "created_at": TIME,
        "updated_at": TIME,
        "display_at": TIME,
        "affected_components": {"anyOf": [{"type": "array", "items": AFFECTED}, {"type": "null"}]},
        "deliver_notifications": BOOL,
        "custom_tweet": _t("null"),
        "tweet_id": _t("null"),
        "previous_status": NSTR,
        "translations": translations("body"),
    }
)
INCIDENT = obj(
    {
        "id": STR,
        "name": STR,
        "status": _t(
            "string",
            enum=[
                "investigating",
                "identified",
                "monitoring",
                "resolved",
                "postmortem",
                "scheduled",
                "in_progress",
                "verifying",
                "completed",
            ],
        ),
        "created_at": TIME,
        "updated_at": TIME,
        "monitoring_at": NTIME,
        "resolved_at": NTIME,
        "impact": _t("string", enum=["none", "minor", "major", "critical", "maintenance"]),
        "shortlink": STR,
        "started_at": TIME,
        "page_id": STR,
        "incident_updates": {"type": "array", "items": ref("IncidentUpdate")},
        "components": {"type": "array", "items": ref("Component")},
        "reminder_intervals": _t("null"),
        "scheduled_for": NTIME,
        "scheduled_until": NTIME,
        "impact_override": _t("string", "null", enum=["none", "minor", "major", "critical", None]),
        "metadata": {"type": "object"},
        "backfilled": BOOL,
        "postmortem_body": NSTR,
        "postmortem_body_last_updated_at": NTIME,
        "postmortem_ignored": BOOL,
        "postmortem_notified_subscribers": BOOL,
        "postmortem_notified_twitter": BOOL,
        "postmortem_published_at": NTIME,
        "scheduled_remind_prior": BOOL,
        "scheduled_reminded_at": NTIME,
        "scheduled_auto_in_progress": BOOL,
        "scheduled_auto_completed": BOOL,
        "auto_transition_to_maintenance_state": BOOL,
        "auto_transition_to_operational_state": BOOL,
        "auto_transition_deliver_notifications_at_start": BOOL,
        "auto_transition_deliver_notifications_at_end": BOOL,
        "severity": NSTR,
        "cancelled": BOOL,
        "translations": translations("name"),
    }
)
SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": STR}),
    "Page": obj(
        {
            "id": STR,
            "name": STR,
            "url": STR,
            "time_zone": STR,
            "updated_at": TIME,
            "created_at": TIME,
            "language": _t("string", description="Ours: the page's default language."),
            "translations": translations("name"),
        }
    ),
    "Component": COMPONENT,
    "ComponentGroup": obj(
        {
            "id": STR,
            "page_id": STR,
            "name": STR,
            "description": NSTR,
            "components": {"type": "array", "items": STR},
            "position": INT,
            "created_at": TIME,
            "updated_at": TIME,
            "translations": translations("name", "description"),
        }
    ),
    "Incident": INCIDENT,
    "IncidentUpdate": UPDATE,
    "Postmortem": obj(
        {
            "preview_key": _t("null"),
            "body": NSTR,
            "body_updated_at": NTIME,
            "body_draft": NSTR,
            "body_draft_updated_at": NTIME,
            "published_at": NTIME,
            "notify_subscribers": BOOL,
            "notify_twitter": BOOL,
            "custom_tweet": _t("null"),
            "created_at": NTIME,
            "updated_at": NTIME,
        }
    ),
    "IncidentTemplate": obj(
        {
            "id": STR,
            "components": {"type": "array", "items": ref("Component")},
            "name": STR,
            "title": STR,
            "body": STR,
            "group_id": NSTR,
            "update_status": NSTR,
            "should_tweet": BOOL,
            "should_send_notifications": BOOL,
            "created_at": TIME,
            "updated_at": TIME,
        }
    ),
    "ComponentUptime": obj(
        {
            "id": STR,
            "name": STR,
            "range_start": _t("string", format="date"),
            "range_end": _t("string", format="date"),
            "uptime_percentage": _t("number", minimum=0, maximum=100),
            "major_outage": _t("integer", minimum=0, description="Seconds"),
            "partial_outage": _t("integer", minimum=0, description="Seconds"),
            "warnings": {"type": "array", "items": STR},
            "related_events": {"type": "array", "items": obj({"id": STR, "name": STR})},
        }
    ),
}
_LINES = {"type": "array", "items": obj({"line": INT, "reason": STR})}
SCHEMAS.update(
    {
        "Subscriber": obj(
            {
                "id": STR,
                "skip_confirmation_notification": BOOL,
                "mode": _t("string", enum=["email", "sms", "webhook", "slack"]),
                "email": NSTR,
                "endpoint": NSTR,
                "phone_number": NSTR,
                "phone_country": NSTR,
                "display_phone_number": NSTR,
                "obfuscated_channel_name": _t("null"),
                "workspace_name": _t("null"),
                "quarantined_at": _t("null"),
                "purge_at": NTIME,
                "components": {"type": "array", "items": STR},
                "page_access_user_id": _t("null"),
                "created_at": TIME,
                "state": _t("string", enum=["pending", "active", "unsubscribed"]),
                "all_components": BOOL,
                "tags": {"type": "array", "items": STR},
                "language": STR,
                "updated_at": TIME,
                "confirmed_at": NTIME,
                "unsubscribed_at": NTIME,
            }
        ),
        "SubscriberCount": obj(
            {"email": INT, "sms": INT, "webhook": INT, "slack": INT, "integration_partner": INT}
        ),
        "SubscriberImport": obj(
            {
                "created": INT,
                "updated": INT,
                "unchanged": INT,
                "skipped": _LINES,
                "rejected": _LINES,
            }
        ),
        "SubscriberData": {
            "type": "object",
            "properties": {"subscriber": {"type": "object"}, "messages": {"type": "array"}},
            "required": ["subscriber", "awaiting_confirmation", "messages", "not_kept"],
        },
    }
)
# The comms KPIs report (statuspage.kpis_json, version 1): seconds, null when not measured.
_SECS, _NSECS = _t("integer", minimum=0), _t("integer", "null", minimum=0)
_COUNTS = {"type": "object", "additionalProperties": obj(dict.fromkeys(
    ("sent", "delivered", "failed", "pending"), _t("integer", minimum=0)))}  # fmt: skip
_CADENCE = obj({**dict.fromkeys(("promised", "kept", "missed", "running"), _SECS),
                "met_percent": _t("number", "null", minimum=0, maximum=100)})  # fmt: skip
_SUMMARY = {
    "severity": NSTR, "incidents": _SECS, "resolved": _SECS,
    "mean_first_public_update_seconds": _NSECS, "cadence": _CADENCE,
    "mean_approval_wait_seconds": _NSECS, "mttr_seconds": _NSECS, "messages": _COUNTS,
}  # fmt: skip
SCHEMAS["CommsReport"] = obj(
    {
        "version": _t("integer", enum=[1]),
        "since": TIME,
        "until": TIME,
        "time_zone": STR,
        "incidents": {"type": "array", "items": obj({
            "id": STR, "name": STR, "severity": NSTR, "status": STR, "declared_at": TIME,
            "started_at": TIME, "resolved_at": NTIME, "first_public_update_seconds": _NSECS,
            "cadence": _CADENCE, "approvals": _SECS, "approval_wait_seconds": _SECS,
            "awaiting_approval": _SECS, "time_to_resolve_seconds": _NSECS,
            "messages": _COUNTS, "subscribers_reached": _SECS,
        })},
        "severities": {"type": "array", "items": obj({**_SUMMARY, "subscribers_reached": _SECS})},
        "months": {"type": "array", "items": obj({"month": STR, **_SUMMARY})},
    }
)  # fmt: skip
for _name in (
    "Page",
    "Component",
    "ComponentGroup",
    "Incident",
    "IncidentTemplate",
    "Subscriber",
):
    SCHEMAS[_name + "List"] = {"type": "array", "items": ref(_name)}


def document(operations: list[Operation]) -> Schema:
    """The whole OpenAPI document for these operations."""
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault("/v1" + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "statuspage Manage API",
            "version": "1",
            "description": "A subset of the Statuspage Manage API v1. Bodies are JSON or "
            "form-urlencoded with bracket keys (incident[components][ID]=major_outage). "
            'Fields and parameters marked "ours" are extensions.',
        },
        "servers": [{"url": "/"}],
        "security": [{"OAuth": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "OAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`OAuth <api-key>` (or `Bearer <api-key>`); keys are made "
                    "with `statuspage token create NAME --scope read|write|admin`.",
                }
            },
        },
    }


def _operation(op: Operation) -> Schema:
    responses: dict[str, Any] = {str(code): _error(text) for code, text in ERRORS.items()}
    if op.body is None:
        for code in ("413", "415"):
            del responses[code]
    if op.response is None:
        responses["204"] = {"description": "Done; no content"}
    else:
        responses[str(op.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": ref(op.response)}},
        }
    found: Schema = {
        "operationId": _operation_id(op),
        "summary": op.summary,
        "description": f"Needs a key with scope {op.scope.value} or above.",
        "parameters": [_path_param(p) for p in re.findall(r"{(\w+)}", op.path)]
        + [_query_param(q) for q in op.query],
        "responses": responses,
    }
    if op.body is not None:
        found["requestBody"] = _request_body(op.body)
    return found


def _operation_id(op: Operation) -> str:
    words = re.sub(r"[{}]", "", op.path).replace("-", "_").split("/")
    return op.method.lower() + "_" + "_".join(w for w in words if w and w != "pages")


def _error(text: str) -> Schema:
    return {"description": text, "content": {"application/json": {"schema": ref("Error")}}}


def _path_param(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query_param(q: Any) -> Schema:
    return {"name": q.name, "in": "query", "required": False, "schema": field_schema(q)}


def _request_body(spec: BodySpec) -> Schema:
    content: Schema = {"application/json": {"schema": _body_schema(spec, form=False)}}
    # Bracket keys, e.g. incident[components][ID]=major_outage, are OpenAPI's deepObject style.
    content["application/x-www-form-urlencoded"] = {
        "schema": _body_schema(spec, form=True),
        "encoding": {spec.wrapper: {"style": "deepObject", "explode": True}}
        if spec.wrapper
        else {},
    }
    return {"required": not spec.optional, "content": content}


def _body_schema(spec: BodySpec, *, form: bool) -> Schema:
    inner = {
        "type": "object",
        "properties": {f.name: field_schema(f, form=form) for f in spec.fields},
        "required": list(spec.required),
        "additionalProperties": False,
    }
    top = {f.name: field_schema(f, form=form) for f in spec.top_level}
    # A body with no wrapper (wrapper ""): Statuspage's bulk subscriber operations.
    outer_props = {spec.wrapper: inner, **top} if spec.wrapper else top
    required = [] if spec.optional else [spec.wrapper]
    if not spec.wrapper:
        required = list(spec.required)
    if form:
        # A form cannot send an empty object or list: its empty body is one, and a list
        # left out is empty. So the wrapper is needed only when a field in it is.
        lists = {f.name for f in spec.top_level if f.type in ("list", "ids_or_all")}
        required = [name for name in required if name not in lists]
        if spec.wrapper and not spec.required:
            required = []
    return {
        "type": "object",
        "properties": outer_props,
        "required": required,
        "additionalProperties": False,
    }
