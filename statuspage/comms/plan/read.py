"""YAML -> validated Plan, every problem reported as `file:line:column: message; hint: ...`.

`read_plan` checks the plan's own structure and references; `statuspage.comms.compose.validate`
adds the checks that need its templates (existence, rendering, lengths, tone).
"""

from __future__ import annotations

from collections.abc import Mapping as EnvMapping
from datetime import timedelta
from pathlib import Path

from statuspage.comms.plan.audience import NAME, read_owners, read_segments
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.policies import PolicyReader
from statuspage.comms.plan.schema import (
    DEFAULT_COALESCE,
    INCIDENT_PHASES,
    INTERNAL_TEMPLATE,
    MAINTENANCE_PHASES,
    MAX_COALESCE,
    NETWORK_LIMITS,
    REMINDER_TEMPLATE,
    Channel,
    Network,
    Plan,
    Policy,
    SmsOptions,
    SocialOptions,
)
from statuspage.comms.plan.typed_yaml import Reader, format_duration, suggest
from statuspage.comms.plan.yamlnodes import Mapping, Node, Scalar, load
from statuspage.resources import COMMS_TEMPLATES

SHIPPED_TEMPLATES = COMMS_TEMPLATES
TOP_KEYS = (
    "version", "name", "default_severity", "templates", "channels", "owners", "segments",
    "severities", "maintenance", "component_overrides", "tone",
)  # fmt: skip
ALL_PHASES = (*INCIDENT_PHASES, *MAINTENANCE_PHASES)
NETWORKS = [n.value for n in Network]


def read_plan(
    path: Path,
    issues: Issues,
    *,
    display: str | None = None,
    environ: EnvMapping[str, str] | None = None,
) -> Plan | None:
    """The plan at `path`, or None when it has errors (all of them are in `issues`)."""
    r = Reader(issues)
    m = r.mapping(load(path, issues, display), "the plan")
    if m is None:
        return None
    required = ("version", "owners", "segments", "severities")
    r.keys(m, "the plan", required=required, optional=TOP_KEYS)
    _version(r, m.get("version"))
    owners = read_owners(r, m.get("owners"), environ)
    segments = read_segments(r, m.get("segments"), owners)
    policies = PolicyReader(r, owners, segments)
    severities = _severities(r, policies, m.get("severities"))
    maintenance_node = m.get("maintenance")
    maintenance = (
        policies.maintenance(maintenance_node, len(severities)) if maintenance_node else None
    )
    channels = r.mapping(m.get("channels"), "channels") or Mapping(m.where, "channels")
    r.keys(channels, "channels", optional=("sms", "social", "coalesce"))
    plan = Plan(
        path=path,
        name=r.text(m.get("name"), "name") or path.stem,
        owners=owners,
        segments=segments,
        severities=severities,
        template_dirs=_template_dirs(r, path, m.get("templates")),
        maintenance=maintenance,
        default_severity=_default_severity(r, m.get("default_severity"), severities),
        overrides=tuple(policies.overrides(m.get("component_overrides"), severities)),
        template_names=_template_names(r, policies, m.get("templates")),
        sms=_sms(r, channels.get("sms")),
        social=_social(r, channels.get("social")),
        acronyms=_acronyms(r, m.get("tone")),
        starting_soon=_starting_soon(r, maintenance_node),
        coalesce=_coalesce(r, channels.get("coalesce")),
    )
    _check_social(r, plan)
    return None if issues.errors else plan


def _version(r: Reader, node: Node | None) -> None:
    if node is not None and not (isinstance(node, Scalar) and node.text == "1"):
        text = node.text if isinstance(node, Scalar) else node.kind
        r.issues.error(node.where, f"unsupported plan version {text!r}", "write version: 1")


def _severities(r: Reader, policies: PolicyReader, node: Node | None) -> dict[str, Policy]:
    m = r.mapping(node, "severities")
    if m is None:
        return {}
    if not m.entries:
        r.issues.error(m.where, "severities is empty", "define at least one, e.g. SEV1")
    found: dict[str, Policy] = {}
    for rank, (key, (key_node, value)) in enumerate(m.entries.items()):
        if not NAME.match(key):
            r.issues.error(key_node.where, f"bad severity name {key!r}", "e.g. SEV1 or critical")
        policy = policies.severity(key_node, value, rank)
        if policy is not None:
            found[key] = policy
    return found


def _default_severity(r: Reader, node: Node | None, severities: dict[str, Policy]) -> str | None:
    text = r.text(node, "default_severity")
    if text is None or node is None:
        return None
    if text not in severities:
        hint = suggest(text, severities)
        r.issues.error(node.where, f"unknown severity {text!r} as default_severity", hint)
        return None
    return text


def _sms(r: Reader, node: Node | None) -> SmsOptions:
    m = r.mapping(node, "channels.sms")
    if m is None:
        return SmsOptions()
    r.keys(m, "channels.sms", optional=("max_segments", "smart_encoding"))
    segments = r.integer(m.get("max_segments"), "channels.sms.max_segments", minimum=1)
    smart = r.boolean(m.get("smart_encoding"), "channels.sms.smart_encoding")
    return SmsOptions(
        max_segments=segments or SmsOptions.max_segments,
        smart_encoding=SmsOptions.smart_encoding if smart is None else smart,
    )


def _social(r: Reader, node: Node | None) -> SocialOptions | None:
    m = r.mapping(node, "channels.social")
    if m is None:
        return None
    r.keys(m, "channels.social", required=("network", "handle"), optional=("limit",))
    network_node = m.get("network")
    network_text = r.text(network_node, "channels.social.network")
    handle = r.text(m.get("handle"), "channels.social.handle")
    limit = r.integer(m.get("limit"), "channels.social.limit", minimum=1)
    if network_node is None or network_text is None or handle is None:
        return None
    if network_text not in NETWORKS:
        hint = suggest(network_text, NETWORKS)
        r.issues.error(network_node.where, f"unknown network {network_text!r}", hint)
        return None
    network = Network(network_text)
    return SocialOptions(network, handle, limit or NETWORK_LIMITS[network])


def _check_social(r: Reader, plan: Plan) -> None:
    if plan.social is not None:
        return
    policies = [*plan.severities.values(), *([plan.maintenance] if plan.maintenance else [])]
    tables = [p.routing for p in policies] + [o.routing for o in plan.overrides]
    routes = [route for table in tables for rs in table.values() for route in rs]
    for route in routes:
        if Channel.SOCIAL in route.channels:
            r.issues.error(
                route.where,
                f"segment {route.segment!r} is routed to social, but channels.social is missing",
                "add channels.social with the network and handle of the dedicated status account",
            )
            return


def _template_dirs(r: Reader, path: Path, node: Node | None) -> tuple[Path, ...]:
    directory_node = node.get("directory") if isinstance(node, Mapping) else None
    directory = r.text(directory_node, "templates.directory")
    if directory_node is None or directory is None:
        return (SHIPPED_TEMPLATES,)
    resolved = (path.parent / directory).resolve()
    if not resolved.is_dir():
        hint = "the path is relative to the plan file"
        r.issues.error(directory_node.where, f"no template directory at {resolved}", hint)
    if resolved == SHIPPED_TEMPLATES:
        return (SHIPPED_TEMPLATES,)
    # The plan's own directory first; the shipped templates fill in what it leaves out.
    return (resolved, SHIPPED_TEMPLATES)


def _template_names(
    r: Reader, policies: PolicyReader, node: Node | None
) -> dict[tuple[str, Channel], str]:
    m = r.mapping(node, "templates")
    if m is None:
        return {}
    r.keys(m, "templates", optional=("directory", "names"))
    names = r.mapping(m.get("names"), "templates.names")
    found: dict[tuple[str, Channel], str] = {}
    for key, (key_node, value) in names.entries.items() if names else ():
        internal = key in (INTERNAL_TEMPLATE, REMINDER_TEMPLATE)
        if not internal and policies.phase(key_node, ALL_PHASES, "templates.names") is None:
            continue
        for channel, name in policies.template_names(value, f"templates.names.{key}").items():
            found[(key, channel)] = name
    return found


def _acronyms(r: Reader, node: Node | None) -> frozenset[str]:
    m = r.mapping(node, "tone")
    if m is None:
        return frozenset()
    r.keys(m, "tone", optional=("acronyms",))
    return frozenset(w.text for w in r.words(m.get("acronyms"), "tone.acronyms"))


def _starting_soon(r: Reader, node: Node | None) -> timedelta:
    lead = node.get("starting_soon") if isinstance(node, Mapping) else None
    return r.duration(lead, "maintenance.starting_soon") or Plan.starting_soon


COALESCED = (Channel.EMAIL, Channel.SMS, Channel.WEBHOOK, Channel.SLACK, Channel.SOCIAL)
OFF = ("0", "0s", "off", "none")


def _coalesce(r: Reader, node: Node | None) -> dict[Channel, timedelta]:
    """`channels.coalesce`: a window per channel (`60s`, `2m`; `0` for none), at most 30m."""
    windows = dict(DEFAULT_COALESCE)
    m = r.mapping(node, "channels.coalesce")
    if m is None:
        return windows
    r.keys(m, "channels.coalesce", optional=tuple(c.value for c in COALESCED))
    for channel in COALESCED:
        value = m.get(channel.value)
        what = f"channels.coalesce.{channel.value}"
        if isinstance(value, Scalar) and value.text.strip().lower() in OFF:
            windows[channel] = timedelta(0)
            continue
        window = r.duration(value, what)
        if window is None:
            continue
        if window > MAX_COALESCE:
            r.issues.error(
                value.where if value is not None else m.where,
                f"{what} is {format_duration(window)}; at most 30m (customers would wait)",
                "a minute or two is enough to gather a burst of updates",
            )
            continue
        windows[channel] = window
    return windows
