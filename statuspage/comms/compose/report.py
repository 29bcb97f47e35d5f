"""Plain-text reports for the CLI: a preview of messages, and a plan's routing table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from statuspage.comms.compose.preview import Line, Preview
from statuspage.comms.compose.validate import SmsRow
from statuspage.comms.compose.wording import local_time
from statuspage.comms.plan.schema import Channel, Plan, Policy, SegmentKind
from statuspage.comms.plan.typed_yaml import format_duration

RULE = "─"
JSON_LINES = 14
CHANNEL_ORDER = [c.value for c in Channel]


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "") -> list[str]:
    """Left-aligned columns separated by two spaces."""
    all_rows = [list(headers), *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in all_rows) for i in range(len(headers))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in all_rows
    ]


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def format_preview(p: Preview, *, dry_run: bool = False, full: bool = False) -> str:
    """The whole preview: header, every message, totals, warnings."""
    kind = "maintenance" if p.incident.is_maintenance else f"{p.severity or ''} incident".strip()
    out = [
        f"{'Dry run' if dry_run else 'Preview'}: {kind} {p.incident.id} "
        f'"{p.incident.name}", phase {p.phase}',
        "Nothing was stored or sent." if dry_run else "A preview stores and sends nothing.",
    ]
    if p.approval_role:
        out.append(
            f"Approval missing: customer messages wait for the {p.approval_role} "
            f"(statuspage comms approve {p.incident.id})"
        )
    if p.approved:
        out.append(f"Customer messages {p.approved}.")
    if p.next_update_at:
        out.append(f"Next update promised by {_local(p)}.")
    if p.page_text is not None:
        out += ["", _heading("public · page", "shown on the status page"), p.page_text]
    out += [f"warning: tone ({what}): {finding}" for what, finding in p.input_tone]
    seen: set[str] = set()  # each template finding once, at its first message
    for line in p.lines:
        out += ["", *_line(line, full, seen)]
    out += ["", *_totals(p)]
    return "\n".join(out)


def _local(p: Preview) -> str:
    assert p.next_update_at is not None
    return local_time(p.next_update_at, p.time_zone)


def _heading(title: str, detail: str) -> str:
    text = f"── {title} · {detail} "
    return text + RULE * max(3, 78 - len(text))


def _line(line: Line, full: bool, seen: set[str]) -> list[str]:
    held = " · held for approval" if line.held else ""
    fallback = " · update not translated" if line.fallback else ""
    detail = f"{line.language} · {count(line.recipients, 'recipient')}{held}{fallback}"
    out = [_heading(f"{line.segment} · {line.channel}", detail)]
    rendered = line.rendered
    if rendered is not None:
        if rendered.subject:
            out.append(f"Subject: {rendered.subject}")
        out += _body(rendered.text, line.channel, full)
        if rendered.html:
            out.append(f"(+ HTML part, {len(rendered.html):,} characters)")
    if line.sms:
        out += _sms(line)
    if line.social:
        out.append(
            f"{line.social.network.value}: {line.social.length} of {line.social.limit} "
            "characters (as the network counts them)"
        )
    for finding in line.tone:
        text = f"warning: tone: {finding}"
        if text not in seen:
            seen.add(text)
            out.append(text)
    out += [f"problem: {problem}" for problem in line.problems]
    if line.skipped:
        out.append(f"skipped: {line.skipped}; these wait, queued (not counted in the total)")
    return out


def _sms(line: Line) -> list[str]:
    """Encoding, size, segments and what that costs: each recipient's message is billed per
    segment, so the segments are the cost multiplier."""
    s = line.sms
    assert s is not None
    per = "70 per segment, 67 when split" if s.encoding == "UCS-2" else "160, 153 when split"
    extra = f"; not GSM-7: {' '.join(s.non_gsm[:10])}" if s.non_gsm else ""
    out = [
        f"SMS: {s.encoding} ({per}), {s.characters} characters, {s.units} units, "
        f"{count(s.segments, 'segment')}: "
        f"cost x{s.segments} per recipient{extra}"
    ]
    fixed = line.fixed_sms
    if fixed is not None and fixed.segments > 1:
        out.append(
            f"warning: the template's fixed text alone takes {count(fixed.segments, 'segment')} "
            f"({fixed.units} {fixed.encoding} units)"
        )
    return out


def _body(text: str, channel: str, full: bool) -> list[str]:
    lines = text.splitlines()
    if channel in (Channel.WEBHOOK, Channel.SLACK) and not full and len(lines) > JSON_LINES:
        more = len(lines) - JSON_LINES
        return [*lines[:JSON_LINES], f"… {more} more lines (--full shows them)"]
    return lines


def _totals(p: Preview) -> list[str]:
    by_channel: dict[str, int] = {}
    for line in p.lines:
        if not line.skipped:  # a channel not configured sends nothing (yet)
            by_channel[line.channel] = by_channel.get(line.channel, 0) + line.recipients
    parts = ", ".join(f"{n:,} {c}" for c, n in sorted(by_channel.items()))
    total = sum(by_channel.values())
    out = [f"Total: {count(total, 'message')}" + (f" ({parts})" if parts else "")]
    if p.sms_segments:
        out.append(
            f"SMS: {count(p.sms_segments, 'segment')}, about {_duration(p.sms_seconds)} "
            "at the configured sender throughput"
        )
    if p.superseded:
        out.append(f"Replaces {count(p.superseded, 'unsent message')} of earlier updates.")
    out += _fallbacks(p)
    out += list(p.skipped)
    out += [f"warning: {w}" for w in p.warnings]
    return out


def _fallbacks(p: Preview) -> list[str]:
    """Per language, how many recipients get the update as written (no translation)."""
    found = p.fallbacks
    if not found:
        return []
    parts = ", ".join(f"{lang} {count(n, 'recipient')}" for lang, n in found.items())
    return [
        f"Fallback: the update is not translated for {parts}; they get it in "
        f"{p.page_language}, with a note saying so."
    ]


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60:02d} min"


def sms_table(rows: Iterable[SmsRow]) -> list[str]:
    """SMS templates: encoding, typical length, segments (= cost per recipient), worst case,
    and the segments of the template's fixed text alone."""
    body = [
        (r.file, r.language, r.encoding, str(r.units), f"{r.segments} (x{r.segments})",
         str(r.worst_segments), str(r.fixed_segments))
        for r in rows
    ]  # fmt: skip
    headers = ("SMS TEMPLATE", "LANG", "ENCODING", "UNITS", "SEGMENTS (COST)", "WORST", "FIXED")
    return table(headers, body)


def format_plan(plan: Plan, severity: str | None = None) -> str:
    """The routing table (phase x segment x channel), owners and cadence."""
    policies = list(plan.severities.values())
    if plan.maintenance:
        policies.append(plan.maintenance)
    if severity is not None:
        policies = [p for p in policies if p.key.casefold() == severity.casefold()]
    out = [f"{plan.name} ({plan.path})"]
    if plan.default_severity:
        out.append(f"Default severity: {plan.default_severity}")
    for policy in policies:
        out += ["", *_policy(plan, policy)]
    out += ["", "Owners:", *_owners(plan), "", "Segments:", *_segments(plan)]
    return "\n".join(out)


def _policy(plan: Plan, p: Policy) -> list[str]:
    impact = f", impact {p.impact.value}" if p.impact else ""
    out = [f"{p.key}: {p.label}{impact}"]
    if p.description:
        out.append(f"  {p.description}")
    if p.cadence:
        cadence = ", ".join(
            f"{'default' if k == '*' else k} {format_duration(v)}" for k, v in p.cadence.items()
        )
        escalate = (
            f"; escalate after {format_duration(p.escalate_after)}" if p.escalate_after else ""
        )
        out.append(f"  Cadence: {cadence}{escalate}")
    owners = plan.owners
    reminded = owners[p.roles.reminded]
    line = f"  Speaks: {owners[p.roles.speaks].label}; reminded: {reminded.label}"
    line += f" (then {owners[reminded.backup].label})" if reminded.backup in owners else ""
    out.append(line)
    if p.roles.approves:
        phases = ", ".join(sorted(p.approval_phases))
        out.append(f"  Approves customer messages: {owners[p.roles.approves].label} ({phases})")
    out += _routing(plan, p)
    return out


def _routing(plan: Plan, p: Policy) -> list[str]:
    rows = []
    for phase, routes in p.routing.items():
        for i, route in enumerate(routes):
            marks = ["✔" if c in route.channels else "" for c in CHANNEL_ORDER]
            rows.append([phase.value if i == 0 else "", route.segment, *marks])
    for override in plan.overrides:
        if override.severities and p.key not in override.severities:
            continue
        for phase, routes in override.routing.items():
            for route in routes:
                marks = ["✔" if c in route.channels else "" for c in CHANNEL_ORDER]
                where = "+" + ", ".join(override.components)
                rows.append([phase.value, f"{route.segment} ({where})", *marks])
    if not rows:
        return ["  (no messages)"]
    headers = ["PHASE", "SEGMENT", *(c.upper() for c in CHANNEL_ORDER)]
    return table(headers, rows, indent="  ")


def _owners(plan: Plan) -> list[str]:
    rows = [
        (o.key, o.label, ", ".join(c.value for c in o.contacts) or "-", o.backup)
        for o in plan.owners.values()
    ]
    return table(("ROLE", "LABEL", "CONTACTS", "BACKUP"), rows, indent="  ")


def _segments(plan: Plan) -> list[str]:
    rows = []
    for s in plan.segments.values():
        if s.kind is SegmentKind.OWNERS:
            who = "owners: " + ", ".join(s.owners)
        elif s.kind is SegmentKind.PUBLIC:
            who = "the page and the status account"
        else:
            f = s.subscribers
            parts = [f"tags {', '.join(f.tags)}" if f.tags else ""]
            parts.append(f"components {', '.join(f.components)}" if f.components else "")
            parts.append(f"channels {', '.join(f.channels)}" if f.channels else "")
            who = "subscribers" + (": " + "; ".join(x for x in parts if x) if any(parts) else "")
        rows.append((s.key, s.label, who))
    return table(("SEGMENT", "LABEL", "WHO"), rows, indent="  ")
