"""Manage API: postmortems and incident templates."""

from __future__ import annotations

from statuspage.admin.fields import BodySpec, Field
from statuspage.admin.incidents import INCIDENT
from statuspage.admin.operations import Call, operation
from statuspage.admin.shared import PAGE_ID, components_by_id
from statuspage.errors import InvalidInput
from statuspage.incident_templates import IncidentTemplate
from statuspage.keys import Scope
from statuspage.model import MAX_MESSAGE
from statuspage.serialize import Json, iso, manage_component_json, postmortem_json
from statuspage.service.templates import TEMPLATE_STATUSES

POSTMORTEM = INCIDENT + "/postmortem"
POSTMORTEM_BODY = BodySpec(
    "postmortem",
    (
        Field(
            "body_draft",
            "string",
            "The postmortem (Markdown).",
            max_length=MAX_MESSAGE,
            blank=False,
        ),
        Field("publish", "boolean", "Ours: publish it in the same request."),
    ),
    required=("body_draft",),
)
PUBLISH_BODY = BodySpec(
    "postmortem",
    (
        Field(
            "notify_subscribers",
            "boolean",
            "Publishing always notifies; false is refused.",
            extra={"enum": [True]},
        ),
        Field(
            "notify_twitter",
            "boolean",
            "There is no Twitter integration; true is refused.",
            extra={"enum": [False]},
        ),
        Field("custom_tweet", "string", nullable=True),
    ),
    optional=True,
)
TEMPLATE_BODY = BodySpec(
    "template",
    (
        Field("name", "string", "Shown in the list of templates.", max_length=255, blank=False),
        Field("title", "string", "The incident's name.", max_length=255, blank=False),
        Field("body", "string", "The first update.", max_length=MAX_MESSAGE, blank=False),
        Field("group_id", "string", "A template group (free text).", nullable=True),
        Field("update_status", "string", enum=tuple(TEMPLATE_STATUSES)),
        Field("should_tweet", "boolean"),
        Field("should_send_notifications", "boolean"),
        Field("component_ids", "list", "Components (ids or names)."),
    ),
    required=("name", "title", "body"),
)
TEMPLATE = PAGE_ID + "/incident_templates/{template_id}"


@operation(
    "GET",
    POSTMORTEM,
    scope=Scope.READ,
    response="Postmortem",
    summary="Get an incident's postmortem",
)
async def get_postmortem(call: Call) -> Json:
    return postmortem_json(await call.service.get_incident(call.path["incident_id"]))


@operation(
    "PUT",
    POSTMORTEM,
    scope=Scope.WRITE,
    response="Postmortem",
    body=POSTMORTEM_BODY,
    summary="Write (or rewrite) the postmortem of a resolved incident",
)
async def put_postmortem(call: Call) -> Json:
    changed = await call.service.set_postmortem(
        call.path["incident_id"], call.body["body_draft"], publish=call.body.get("publish", False)
    )
    return postmortem_json(changed)


@operation(
    "DELETE",
    POSTMORTEM,
    scope=Scope.WRITE,
    response="Postmortem",
    summary="Delete a postmortem that is not published",
)
async def delete_postmortem(call: Call) -> Json:
    return postmortem_json(await call.service.delete_postmortem(call.path["incident_id"]))


@operation(
    "PUT",
    POSTMORTEM + "/publish",
    scope=Scope.WRITE,
    response="Postmortem",
    body=PUBLISH_BODY,
    summary="Publish the postmortem; subscribers are notified once",
)
async def publish_postmortem(call: Call) -> Json:
    if call.body.get("notify_subscribers") is False:
        raise InvalidInput(
            "publishing a postmortem notifies subscribers; notify_subscribers=false "
            "is not supported"
        )
    if call.body.get("notify_twitter"):
        raise InvalidInput("there is no Twitter integration; send notify_twitter=false")
    return postmortem_json(await call.service.publish_postmortem(call.path["incident_id"]))


@operation(
    "PUT",
    POSTMORTEM + "/revert",
    scope=Scope.WRITE,
    response="Postmortem",
    summary="Unpublish the postmortem (it stays as a draft)",
)
async def revert_postmortem(call: Call) -> Json:
    return postmortem_json(await call.service.revert_postmortem(call.path["incident_id"]))


async def template_json(call: Call, t: IncidentTemplate) -> Json:
    by_id = await components_by_id(call)
    return {
        "id": t.id,
        "components": [
            manage_component_json(by_id[c], call.page.id) for c in t.component_ids if c in by_id
        ],
        "name": t.name,
        "title": t.title,
        "body": t.body,
        "group_id": t.group_id,
        "update_status": t.update_status,
        "should_tweet": t.should_tweet,
        "should_send_notifications": t.should_send_notifications,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


@operation(
    "GET",
    PAGE_ID + "/incident_templates",
    scope=Scope.READ,
    response="IncidentTemplateList",
    summary="List incident templates",
)
async def list_templates(call: Call) -> list[Json]:
    return [await template_json(call, t) for t in await call.service.list_templates()]


@operation(
    "POST",
    PAGE_ID + "/incident_templates",
    scope=Scope.WRITE,
    status=201,
    response="IncidentTemplate",
    body=TEMPLATE_BODY,
    summary="Create an incident template",
)
async def create_template(call: Call) -> Json:
    v = call.body
    created = await call.service.create_template(
        v["name"],
        title=v["title"],
        body=v["body"],
        group_id=v.get("group_id"),
        update_status=v.get("update_status"),
        should_tweet=v.get("should_tweet", False),
        should_send_notifications=v.get("should_send_notifications", True),
        components=v.get("component_ids", ()),
    )
    return await template_json(call, created)


@operation(
    "GET",
    TEMPLATE,
    scope=Scope.READ,
    response="IncidentTemplate",
    summary="Get an incident template (ours)",
)
async def get_template(call: Call) -> Json:
    return await template_json(call, await call.service.get_template(call.path["template_id"]))


@operation(
    "DELETE",
    TEMPLATE,
    scope=Scope.ADMIN,
    response="IncidentTemplate",
    summary="Delete an incident template (ours)",
)
async def delete_template(call: Call) -> Json:
    return await template_json(call, await call.service.remove_template(call.path["template_id"]))
