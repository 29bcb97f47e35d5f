"""Manage API: subscribers (admin scope: they are personal data).

Statuspage's endpoints and shapes, plus ours: `mode`, `tags`, `language` (and tag edits)
in bodies, `component` and `tag` filters, `purge=true` on DELETE (erasure), the data a
data request returns, and a CSV import in one transaction.
"""

from __future__ import annotations

from typing import Any

from statuspage.addresses import display_phone
from statuspage.admin.fields import BodySpec, Field, QueryParam
from statuspage.admin.operations import Call, operation
from statuspage.admin.shared import PAGE_ID
from statuspage.errors import InvalidInput
from statuspage.keys import Scope
from statuspage.model import Channel, Subscriber
from statuspage.serialize import Json, subscriber_data_json, subscriber_json
from statuspage.service.subscriber_import import ImportReport
from statuspage.service.subscribers import NewSubscriber, SubscriberEdit
from statuspage.service.subscription_base import parse_channel

SUBSCRIBERS = PAGE_ID + "/subscribers"
SUBSCRIBER = SUBSCRIBERS + "/{subscriber_id}"
MODES = tuple(c.value for c in Channel)
STATES = ("active", "unconfirmed", "pending", "unsubscribed", "all")
BULK_MAX = 100
COMPONENT_IDS = Field("component_ids", "list", "Components (ids or names); left out: all.")
LANGUAGE = Field("language", "string", "Ours: the language of the messages, e.g. en.",
                 max_length=35)  # fmt: skip
NEW_SUBSCRIBER = BodySpec(
    "subscriber",
    (
        Field("email", "string", "E-mail address (ignored beside an endpoint).", max_length=254),
        Field(
            "endpoint",
            "string",
            "Webhook URL; a Slack incoming-webhook URL with mode slack.",
            max_length=2048,
        ),
        Field(
            "phone_number",
            "string",
            "Mobile number, in E.164 or as dialled in phone_country.",
            max_length=40,
        ),
        Field("phone_country", "string", "The number's country, e.g. US.", max_length=2),
        Field(
            "skip_confirmation_notification",
            "boolean",
            "Subscribe at once: no confirmation (nor a webhook's test event).",
        ),
        COMPONENT_IDS,
        Field(
            "mode",
            "string",
            "Ours: the channel (inferred from the fields when left out).",
            enum=MODES,
        ),
        Field("tags", "list", "Ours: tags, for the comms plan's segments."),
        LANGUAGE,
    ),
    ignored=("page_access_user",),
)
EDIT_FIELDS = (
    COMPONENT_IDS,
    Field("tags", "list", "Ours: the tags (replacing them)."),
    Field("add_tags", "list", "Ours: tags to add."),
    Field("remove_tags", "list", "Ours: tags to remove."),
    LANGUAGE,
)
# Statuspage puts component_ids at the top; wrapped in "subscriber" works too.
EDIT_SUBSCRIBER = BodySpec("subscriber", EDIT_FIELDS, top_level=(COMPONENT_IDS,), optional=True)
BULK_FIELDS = (
    Field("subscribers", "ids_or_all", f'Ids (at most {BULK_MAX}), or "all".'),
    Field("type", "string", "Only subscribers of this mode.", enum=MODES, check_enum=True),
    Field(
        "state",
        "string",
        'With "all": only subscribers in this state (default: active to '
        "unsubscribe, unsubscribed to reactivate, pending to resend).",
        enum=STATES,
        check_enum=True,
    ),
)
BULK = BodySpec("", (), ("subscribers",), top_level=BULK_FIELDS)
UNSUBSCRIBE = BodySpec("", (), ("subscribers",), top_level=(
    *BULK_FIELDS, Field("skip_unsubscription_notification", "boolean", "Nothing is sent anyway."),
))  # fmt: skip
IMPORT = BodySpec("", (), ("csv",), top_level=(
    Field("csv", "string", "The file: channel,address[,phone_country,components,tags,language]",
          blank=False),
    Field("skip_confirmation_notification", "boolean", "Subscribe new rows at once."),
))  # fmt: skip
TYPE = QueryParam("type", "string", "Only subscribers of this mode.", enum=MODES)
STATE = QueryParam("state", "string", "Only this state (default active).", enum=STATES,
                   default="active")  # fmt: skip
COMPONENT = QueryParam("component", "string", "Ours: only those who hear about it (id or name).")
TAG = QueryParam("tag", "string", "Ours: only those with this tag.")
LIST_QUERY = (
    QueryParam("q", "string", "Only those whose address contains this."),
    TYPE,
    STATE,
    QueryParam("limit", "integer", "Results per page.", minimum=1, maximum=1000, default=100),
    QueryParam("page", "integer", "Page, from 0.", minimum=0, default=0),
    QueryParam(
        "sort_field",
        "string",
        "primary: the address.",
        enum=("primary", "created_at"),
        default="created_at",
    ),
    QueryParam("sort_direction", "string", enum=("asc", "desc"), default="asc"),
    COMPONENT,
    TAG,
)
PURGE = QueryParam(
    "purge", "boolean", "Ours: erase the subscriber and every message to them.", default=False
)


async def shape(call: Call, found: list[Subscriber]) -> list[Json]:
    every = [c.id for c in await call.service.list_components()]
    expiries = await call.service.purge_times([s.id for s in found if s.state.value == "pending"])
    return [
        subscriber_json(s, every, display_phone=display_phone(s.address) if s.channel is
                        Channel.SMS else None, purge_at=expiries.get(s.id))
        for s in found
    ]  # fmt: skip


async def one(call: Call, s: Subscriber) -> Json:
    return (await shape(call, [s]))[0]


@operation("GET", SUBSCRIBERS, scope=Scope.ADMIN, summary="List subscribers",
           response="SubscriberList", query=LIST_QUERY)  # fmt: skip
async def list_subscribers(call: Call) -> list[Json]:
    v = call.query
    found = await call.service.list_subscribers(
        channel=v["type"], state=v["state"], tag=v["tag"], component=v["component"],
        search=v["q"], limit=v["limit"], offset=v["page"] * v["limit"],
        order="address" if v["sort_field"] == "primary" else "created_at",
        descending=v["sort_direction"] == "desc",
    )  # fmt: skip
    return await shape(call, found)


@operation("POST", SUBSCRIBERS, scope=Scope.ADMIN, summary="Create a subscriber",
           response="Subscriber", status=201, body=NEW_SUBSCRIBER)  # fmt: skip
async def create_subscriber(call: Call) -> Json:
    v = call.body
    mode, address = _mode_and_address(v)
    components = v.get("component_ids")
    created = await call.service.add_subscriber(NewSubscriber(
        mode, address, v.get("phone_country"), tuple(components) if components else None,
        tuple(v.get("tags", ())), v.get("language") or "en",
        bool(v.get("skip_confirmation_notification", False)),
    ))  # fmt: skip
    return await one(call, created)


def _mode_and_address(v: dict[str, Any]) -> tuple[Channel, str]:
    fields = {Channel.EMAIL: "email", Channel.SMS: "phone_number", Channel.WEBHOOK: "endpoint",
              Channel.SLACK: "endpoint"}  # fmt: skip
    if v.get("mode"):
        mode = parse_channel(v["mode"])
    elif v.get("endpoint"):
        mode = Channel.WEBHOOK
    elif v.get("phone_number"):
        mode = Channel.SMS
    elif v.get("email"):
        mode = Channel.EMAIL
    else:
        raise InvalidInput("give subscriber[email], subscriber[phone_number] or "
                           "subscriber[endpoint]")  # fmt: skip
    address = v.get(fields[mode])
    if not address:
        raise InvalidInput(f"subscriber[{fields[mode]}] is required for mode {mode.value}")
    return mode, str(address)


@operation("GET", SUBSCRIBERS + "/count", scope=Scope.ADMIN, response="SubscriberCount",
           summary="Count subscribers by mode", query=(TYPE, STATE, COMPONENT, TAG))  # fmt: skip
async def count_subscribers(call: Call) -> Json:
    v = call.query
    counts = await call.service.count_subscribers(
        state=v["state"], tag=v["tag"], component=v["component"]
    )
    if v["type"]:
        counts = {k: (n if k == v["type"] else 0) for k, n in counts.items()}
    return {**counts, "integration_partner": 0}


async def _bulk(call: Call, state: str) -> list[str]:
    """The ids a bulk request names: its list, or "all" (at most BULK_MAX) of its filters;
    "all" without a state means those the operation applies to (`state`)."""
    v = call.body
    wanted = v.get("subscribers")
    if wanted is None:
        raise InvalidInput('give subscribers: a list of ids, or "all"')
    if wanted != "all":
        if len(wanted) > BULK_MAX:
            raise InvalidInput(f"at most {BULK_MAX} subscribers at a time")
        return list(wanted)
    found = await call.service.list_subscribers(
        channel=v.get("type"), state=v.get("state", state), limit=BULK_MAX + 1
    )
    if len(found) > BULK_MAX:
        raise InvalidInput(f'"all" is limited to {BULK_MAX} subscribers; name them instead')
    return [s.id for s in found]


@operation("POST", SUBSCRIBERS + "/unsubscribe", scope=Scope.ADMIN, response=None,
           summary="Unsubscribe a list of subscribers", body=UNSUBSCRIBE)  # fmt: skip
async def unsubscribe_many(call: Call) -> None:
    await call.service.unsubscribe_subscribers(await _bulk(call, "active"))


@operation("POST", SUBSCRIBERS + "/reactivate", scope=Scope.ADMIN, response=None,
           summary="Subscribe unsubscribed subscribers again", body=BULK)  # fmt: skip
async def reactivate_many(call: Call) -> None:
    await call.service.reactivate_subscribers(await _bulk(call, "unsubscribed"))


@operation("POST", SUBSCRIBERS + "/resend_confirmation", scope=Scope.ADMIN, response=None,
           summary="Send pending subscribers a new confirmation", body=BULK)  # fmt: skip
async def resend_confirmation(call: Call) -> None:
    await call.service.resend_confirmations(await _bulk(call, "pending"))


@operation("POST", SUBSCRIBERS + "/import", scope=Scope.ADMIN, response="SubscriberImport",
           summary="Import subscribers from CSV, the valid rows in one transaction (ours)",
           body=IMPORT)  # fmt: skip
async def import_subscribers(call: Call) -> Json:
    v = call.body
    report = await call.service.import_csv(
        v.get("csv") or "", bool(v.get("skip_confirmation_notification", False))
    )
    return import_json(report)


def import_json(r: ImportReport) -> Json:
    return {
        "created": r.created, "updated": r.updated, "unchanged": r.unchanged,
        "skipped": [{"line": line, "reason": why} for line, why in r.skipped],
        "rejected": [{"line": line, "reason": why} for line, why in r.rejected],
    }  # fmt: skip


@operation("GET", SUBSCRIBER, scope=Scope.ADMIN, response="Subscriber",
           summary="Get a subscriber (by id, e-mail or number)")  # fmt: skip
async def get_subscriber(call: Call) -> Json:
    return await one(call, await call.service.get_subscriber(call.path["subscriber_id"]))


@operation("PATCH", SUBSCRIBER, scope=Scope.ADMIN, response="Subscriber",
           summary="Change a subscriber's components (and, ours, tags and language)",
           body=EDIT_SUBSCRIBER)  # fmt: skip
async def edit_subscriber(call: Call) -> Json:
    v = call.body
    components = v.get("component_ids")
    edit = SubscriberEdit(
        components=tuple(components) if components is not None else None,
        tags=tuple(v["tags"]) if "tags" in v else None, add_tags=tuple(v.get("add_tags", ())),
        remove_tags=tuple(v.get("remove_tags", ())), language=v.get("language"),
    )  # fmt: skip
    return await one(call, await call.service.edit_subscriber(call.path["subscriber_id"], edit))


@operation("DELETE", SUBSCRIBER, scope=Scope.ADMIN, response="Subscriber", query=(PURGE,),
           summary="Unsubscribe a subscriber; with purge=true, erase them (ours)")  # fmt: skip
async def delete_subscriber(call: Call) -> Json:
    ref = call.path["subscriber_id"]
    if call.query["purge"]:
        return await one(call, await call.service.erase_subscriber(ref))
    [done] = await call.service.unsubscribe_subscribers([ref])
    return await one(call, done)


@operation("GET", SUBSCRIBER + "/data", scope=Scope.ADMIN, response="SubscriberData",
           summary="Everything held on a subscriber, for a data request (ours)")  # fmt: skip
async def subscriber_data(call: Call) -> Json:
    return subscriber_data_json(await call.service.subscriber_data(call.path["subscriber_id"]))
