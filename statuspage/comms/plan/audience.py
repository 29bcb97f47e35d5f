"""Reading owners (roles with contact points and a backup) and segments (who hears what)."""

from __future__ import annotations

import re
from collections.abc import Mapping as EnvMapping

import phonenumbers

from statuspage.comms.plan.issues import Where
from statuspage.comms.plan.schema import (
    OWNER_CHANNELS,
    SEGMENT_CHANNELS,
    Channel,
    Owner,
    Segment,
    SegmentKind,
    SubscriberFilter,
)
from statuspage.comms.plan.typed_yaml import Reader, suggest
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
ENV_REF = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OWNER_CHANNEL_NAMES = [c.value for c in OWNER_CHANNELS]
SUBSCRIBER_CHANNELS = SEGMENT_CHANNELS[SegmentKind.SUBSCRIBERS]


def read_owners(
    r: Reader, node: Node | None, environ: EnvMapping[str, str] | None
) -> dict[str, Owner]:
    m = r.mapping(node, "owners")
    if m is None:
        return {}
    if not m.entries:
        r.issues.error(m.where, "owners is empty", "name at least an incident commander")
    owners: dict[str, Owner] = {}
    for key, (key_node, value) in m.entries.items():
        owner = _owner(r, key_node, value, environ)
        if owner is not None:
            owners[key] = owner
    for owner in owners.values():
        _check_backup(r, owner, m.get(owner.key), owners)
    return owners


def _check_backup(r: Reader, owner: Owner, node: Node | None, owners: dict[str, Owner]) -> None:
    where = node.key_where("backup") if isinstance(node, Mapping) else owner.where
    if owner.backup == owner.key:
        r.issues.error(where, f"{owner.key} cannot be its own backup", "name another role")
    elif owner.backup and owner.backup not in owners:
        r.issues.error(
            where,
            f"unknown role {owner.backup!r} as backup of {owner.key}",
            suggest(owner.backup, owners),
        )


def _owner(
    r: Reader, key: Scalar, node: Node, environ: EnvMapping[str, str] | None
) -> Owner | None:
    what = f"owner {key.text}"
    if not NAME.match(key.text):
        r.issues.error(key.where, f"bad role name {key.text!r}", "use letters, digits, - and _")
    m = r.mapping(node, what)
    if m is None:
        return None
    r.keys(m, what, required=("contacts", "backup"), optional=("label",))
    return Owner(
        key=key.text,
        label=r.text(m.get("label"), f"{what} label") or key.text.replace("_", " "),
        contacts=_contacts(r, m.get("contacts"), what, environ),
        backup=r.text(m.get("backup"), f"{what} backup") or "",
        where=key.where,
    )


def _contacts(
    r: Reader, node: Node | None, what: str, environ: EnvMapping[str, str] | None
) -> dict[Channel, str]:
    m = r.mapping(node, f"{what} contacts")
    if m is None:
        return {}
    r.keys(m, f"{what} contacts", optional=OWNER_CHANNEL_NAMES)
    contacts: dict[Channel, str] = {}
    for key, (_, value) in m.entries.items():
        text = r.text(value, f"{what} contacts.{key}")
        if text is None or key not in OWNER_CHANNEL_NAMES:
            continue
        if _contact_ok(r, Channel(key), text, value.where, environ):
            contacts[Channel(key)] = text
    if not m.entries:
        r.issues.warning(m.where, f"{what} has no contact point", "reminders cannot reach it")
    return contacts


def _contact_ok(
    r: Reader, channel: Channel, text: str, where: Where, environ: EnvMapping[str, str] | None
) -> bool:
    ref = ENV_REF.match(text)
    if ref:
        if environ is not None and not environ.get(ref.group(1)):
            r.issues.warning(
                where,
                f"{ref.group(1)} is not set in this environment",
                "set it where the server runs, or messages to this contact fail",
            )
        return True
    problem = contact_problem(channel, text)
    if problem:
        r.issues.error(where, problem[0], problem[1])
        return False
    return True


def contact_address(value: str, environ: EnvMapping[str, str]) -> str | None:
    """A contact point as it is sent: `${NAME}` read from `environ` (None when unset)."""
    ref = ENV_REF.match(value)
    if ref is None:
        return value
    return environ.get(ref.group(1)) or None


def contact_problem(channel: Channel, text: str) -> tuple[str, str] | None:
    """What is wrong with a contact point, with a hint; None when it looks right."""
    if channel is Channel.EMAIL and not EMAIL.match(text):
        return f"{text!r} is not an e-mail address", "write it like oncall@example.com"
    if channel is Channel.SMS and not _is_phone(text):
        return f"{text!r} is not a phone number in E.164 form", "write it like +14155550100"
    if channel is Channel.SLACK and not text.startswith("https://"):
        return (
            "a Slack contact is an incoming-webhook https URL",
            "it is a secret: keep it in the environment, e.g. ${SLACK_INCIDENTS_URL}",
        )
    return None


def _is_phone(text: str) -> bool:
    try:
        return text.startswith("+") and phonenumbers.is_possible_number(phonenumbers.parse(text))
    except phonenumbers.NumberParseException:
        return False


def read_segments(r: Reader, node: Node | None, owners: dict[str, Owner]) -> dict[str, Segment]:
    m = r.mapping(node, "segments")
    if m is None:
        return {}
    segments: dict[str, Segment] = {}
    for key, (key_node, value) in m.entries.items():
        segment = _segment(r, key_node, value, owners)
        if segment is not None:
            segments[key] = segment
    return segments


def _segment(r: Reader, key: Scalar, node: Node, owners: dict[str, Owner]) -> Segment | None:
    what = f"segment {key.text}"
    m = r.mapping(node, what)
    if m is None:
        return None
    r.keys(m, what, optional=("label", "description", *SegmentKind))
    kinds = [k for k in SegmentKind if k.value in m.entries]
    if len(kinds) != 1:
        r.issues.error(
            key.where,
            f"{what} must say exactly one of subscribers, owners or public",
            "e.g. `subscribers: {tags: [enterprise]}` or `owners: [incident_commander]`",
        )
        return None
    label = r.text(m.get("label"), f"{what} label") or key.text.replace("_", " ")
    kind = kinds[0]
    if kind is SegmentKind.PUBLIC:
        if r.boolean(m.get("public"), f"{what} public") is False:
            r.issues.error(m.key_where("public"), f"{what}: public must be true")
        return Segment(key.text, label, kind, key.where)
    if kind is SegmentKind.OWNERS:
        roles = _segment_owners(r, m.get("owners"), what, owners)
        return Segment(key.text, label, kind, key.where, owners=roles)
    return Segment(key.text, label, kind, key.where, subscribers=_filter(r, m, what))


def _segment_owners(
    r: Reader, node: Node | None, what: str, owners: dict[str, Owner]
) -> tuple[str, ...]:
    if isinstance(node, Scalar) and node.text == "all":
        return tuple(owners)
    roles, items = [], r.words(node, f"{what} owners")
    for item in items:
        if item.text in owners:
            roles.append(item.text)
        else:
            hint = suggest(item.text, [*owners, "all"])
            r.issues.error(item.where, f"unknown role {item.text!r} in {what}", hint)
    if node is not None and not items:
        r.issues.error(node.where, f"{what} names no owner", "list roles, or say `owners: all`")
    return tuple(roles)


def _filter(r: Reader, segment: Mapping, what: str) -> SubscriberFilter:
    m = r.mapping(segment.get("subscribers"), f"{what} subscribers")
    if m is None:
        return SubscriberFilter()
    r.keys(m, f"{what} subscribers", optional=("tags", "components", "channels"))
    channels = []
    names = [c.value for c in SUBSCRIBER_CHANNELS]
    for item in r.words(m.get("channels"), f"{what} channels"):
        if item.text in names:
            channels.append(Channel(item.text))
        else:
            hint = suggest(item.text, names)
            r.issues.error(item.where, f"unknown channel {item.text!r} in {what}", hint)
    return SubscriberFilter(
        tags=tuple(t.text for t in r.words(m.get("tags"), f"{what} tags")),
        components=tuple(c.text for c in r.words(m.get("components"), f"{what} components")),
        channels=tuple(channels),
    )
