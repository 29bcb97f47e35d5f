"""Preview: exactly what an update would send, to whom, how long it takes, what is missing.

A preview runs the real planner inside a write transaction, reads back the rows it would
have enqueued and renders one message per segment, channel and language; the transaction
is then rolled back (statuspage.service.comms_ops for `comms preview`, `DryRun` for
--dry-run): the counts are the planner's own, and nothing is stored or sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from jinja2 import TemplateError

from statuspage.comms.compose import samples
from statuspage.comms.compose.context import Facts, Recipient, localised
from statuspage.comms.compose.fanout import Planned, event_key
from statuspage.comms.compose.lengths import SmsLength, SocialLength, sms_length, social_length
from statuspage.comms.compose.render_row import Renderer
from statuspage.comms.compose.templates import Rendered
from statuspage.comms.compose.tone import ToneFinding, check_tone
from statuspage.comms.compose.wording import local_time
from statuspage.comms.kit import Comms
from statuspage.comms.plan.audience import ENV_REF, contact_address
from statuspage.comms.plan.issues import Where
from statuspage.comms.plan.schema import Channel, Phase, SegmentKind
from statuspage.comms.plan.usage import CUSTOMER, OWNER, Usage
from statuspage.errors import StatuspageError
from statuspage.events import Event
from statuspage.links import LinkSigner
from statuspage.model import Incident, new_id
from statuspage.storage import Queries
from statuspage.storage.outbox import CommsEvent, OutboxGroup, OutboxState


@dataclass(frozen=True)
class Options:
    sms_rate: float = 1.0  # messages (segments) per second
    sms_warn_after: float = 600.0  # seconds
    signer: LinkSigner = field(default_factory=LinkSigner.preview)
    secret_key_set: bool = True  # False: real sends to subscribers fail (their links)
    # The sender's environment (owners' ${NAME} contacts) and its channels not configured
    # (channel -> what to set); None: unknown here, every owner is counted.
    environ: Mapping[str, str] | None = None
    unconfigured: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One segment x channel x language: the message and how many it reaches."""

    segment: str
    label: str
    kind: SegmentKind
    channel: str
    language: str
    recipients: int
    held: bool
    rendered: Rendered | None = None
    sms: SmsLength | None = None
    social: SocialLength | None = None
    tone: tuple[ToneFinding, ...] = ()
    problems: tuple[str, ...] = ()
    fallback: bool = False  # the update is not translated into this line's language
    fixed_sms: SmsLength | None = None  # the template's own text, names and texts empty
    skipped: str | None = None  # why nothing goes on this line ("not configured: set ...")


@dataclass(frozen=True)
class Preview:
    incident: Incident
    phase: str
    severity: str | None
    lines: list[Line]
    page_text: str | None
    approval_role: str | None  # the role whose approval customer messages wait for
    approved: str | None  # who approved them, and when
    superseded: int
    sms_segments: int
    sms_seconds: float
    warnings: list[str]
    next_update_at: datetime | None = None
    time_zone: str = "UTC"
    page_language: str = "en"
    input_tone: tuple[tuple[str, ToneFinding], ...] = ()  # (what, finding): the update's texts
    skipped: tuple[str, ...] = ()  # owners and channels not configured: not recipients

    @property
    def fallbacks(self) -> dict[str, int]:
        """Recipients per language who get the update in the page's language (with a note)."""
        found: dict[str, int] = {}
        for line in self.lines:
            if line.fallback:
                found[line.language] = found.get(line.language, 0) + line.recipients
        return dict(sorted(found.items()))


class DryRun(Exception):  # control flow, not an error: it carries the preview out
    """Raised inside a transaction to roll it back and hand out the preview."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("dry run")
        self.preview = preview


class Previewer:
    def __init__(self, comms: Comms, options: Options) -> None:
        self.comms = comms
        self.options = options
        self.renderer = Renderer(comms.plan, comms.templates, options.signer)

    def sink(self) -> Callable[[Queries, Event], Awaitable[None]]:
        """An event sink for --dry-run: after the planner ran, preview and roll back."""

        async def preview_and_roll_back(q: Queries, event: Event) -> None:
            recorded = await q.get_comms_event(event_key(event))
            if recorded is None:
                raise StatuspageError("the comms plan planned nothing for this change")
            raise DryRun(await self.build(q, Planned(recorded, 0), event.at))

        return preview_and_roll_back

    async def of_incident(
        self, q: Queries, incident: Incident, phase: str | None, now: datetime
    ) -> Preview:
        """What the incident's latest update would send now (or as `phase`): the planner
        writes its rows in this transaction, which the caller then rolls back."""
        latest = incident.updates[0].id if incident.updates else None
        event = Event(phase or _phase_of(incident), incident.id, latest, now)
        planned = await self.comms.planner.plan_event(
            q, event, key=f"preview:{new_id()}", coalesce=False
        )
        if planned is None:
            raise StatuspageError(f"the comms plan plans nothing for {event.phase}")
        return await self.build(q, await _as_posted(q, planned, latest), now)

    async def build(self, q: Queries, planned: Planned, now: datetime) -> Preview:
        """The preview of an event whose rows the planner has just written."""
        event, plan = planned.event, self.comms.plan
        facts = await self.renderer.facts(q, event, now)
        groups = await q.outbox_groups(event.id)
        input_tone = self._input_tone(facts)
        unset = await self._unset_owners(q, event.id)
        lines = [
            await self._line(q, facts, group, input_tone, unset)
            for group in groups
            if group.count > len(unset.get((group.segment, group.channel), ()))
        ]
        names = await self.comms.planner.component_names(q, facts.incident)
        routes = plan.routes(facts.policy, Phase(event.phase), names) if facts.policy else []
        on_page = any(Channel.PAGE in r.channels for r in routes)
        segments = sum(line.recipients * (line.sms.segments if line.sms else 0) for line in lines)
        seconds = segments / self.options.sms_rate
        cadence = facts.policy.cadence_for(facts.incident.status) if facts.policy else None
        role = plan.owners.get(event.approval_role or "") if event.awaiting_approval else None
        return Preview(
            incident=facts.incident,
            phase=event.phase,
            severity=event.severity,
            lines=lines,
            page_text=facts.update.body if facts.update and on_page else None,
            approval_role=role.label if role else None,
            approved=_approved(event, facts.page.time_zone),
            superseded=planned.superseded,
            sms_segments=segments,
            sms_seconds=seconds,
            warnings=self._warnings(seconds, cadence),
            next_update_at=event.next_update_at,
            time_zone=facts.page.time_zone,
            page_language=facts.page.language,
            input_tone=input_tone,
            skipped=self._skipped(unset, lines, {c.value for r in routes for c in r.channels}),
        )

    async def _unset_owners(
        self, q: Queries, event_id: str
    ) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """Owners' rows whose contact point is not set where messages are sent, by (segment,
        channel): (role, what to set)."""
        environ = self.options.environ
        if environ is None:
            return {}
        unset: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for row in await q.outbox_rows(event_id):
            owner = self.comms.plan.owners.get(row.recipient_id)
            if row.recipient_kind != "owner" or owner is None:
                continue
            raw = owner.contacts.get(Channel(row.channel))
            if raw and contact_address(raw, environ):
                continue
            ref = ENV_REF.match(raw or "")
            how = f"set {ref.group(1)}" if ref else f"give it a {row.channel} contact"
            unset.setdefault((row.segment, row.channel), []).append((owner.key, how))
        return unset

    def _skipped(
        self,
        unset: dict[tuple[str, str], list[tuple[str, str]]],
        lines: list[Line],
        channels: set[str],
    ) -> tuple[str, ...]:
        notes = [
            f"skipped: not configured: {segment} · {channel}: role {role} has no {channel} "
            f"contact ({how})"
            for (segment, channel), roles in sorted(unset.items())
            for role, how in roles
        ]
        waiting: dict[str, int] = {}
        for line in lines:
            if line.skipped:
                waiting[line.channel] = waiting.get(line.channel, 0) + line.recipients
        for channel in sorted(channels & set(self.options.unconfigured)):
            n = waiting.get(channel, 0)
            wait = f": {waiting_messages(n)}, queued, until it is" if n else ""
            notes.append(
                f"skipped: not configured: {channel} ({self.options.unconfigured[channel]}){wait}"
            )
        return tuple(notes)

    def _input_tone(self, facts: Facts) -> tuple[tuple[str, ToneFinding], ...]:
        """Tone findings of the update's own texts (the original and each translation),
        reported once however many messages carry them."""
        update = facts.update
        if update is None:
            return ()
        texts = [(facts.page.language, update.body)]
        texts += [(t.language, t.text) for t in update.translations if t.field == "body"]
        acronyms = self.comms.plan.acronyms
        return tuple(
            (f"update ({language})", finding)
            for language, text in texts
            for finding in check_tone(text, acronyms=acronyms)
        )

    async def _line(
        self,
        q: Queries,
        facts: Facts,
        group: OutboxGroup,
        input_tone: tuple[tuple[str, ToneFinding], ...] = (),
        unset: Mapping[tuple[str, str], list[tuple[str, str]]] | None = None,
    ) -> Line:
        plan = self.comms.plan
        segment = plan.segments.get(group.segment)
        not_set = (unset or {}).get((group.segment, group.channel), [])
        skipped = self.options.unconfigured.get(group.channel)
        line = Line(
            segment=group.segment,
            label=segment.label if segment else group.segment,
            kind=segment.kind if segment else SegmentKind.OWNERS,
            channel=group.channel,
            language=group.language,
            recipients=group.count - len(not_set),
            held=group.state is OutboxState.HELD,
            fallback=not localised(facts, group.language).update_translated,
            skipped=f"not configured: {skipped}" if skipped else None,
        )
        sample = group.sample_recipient
        if group.recipient_kind == "owner" and not_set:
            roles = {role for role, _ in not_set}
            sample = (
                next((o for o in segment.owners if o not in roles), sample) if segment else sample
            )
        try:
            recipient = await self.renderer.recipient_of(
                q, group.recipient_kind, sample, group.channel, group.language
            )
            rendered = self.renderer.render(facts, recipient, group.template)
        except (TemplateError, StatuspageError) as exc:
            return replace(line, problems=(f"cannot render {group.template}: {exc}",))
        measured = self._measure(replace(line, rendered=rendered), facts)
        known = {(f.rule, f.needle) for _, f in input_tone}
        tone = tuple(f for f in measured.tone if (f.rule, f.needle) not in known)
        if line.channel == Channel.SMS:
            measured = replace(measured, fixed_sms=self._fixed_sms(facts, recipient, group))
        return replace(measured, tone=tone)

    def _fixed_sms(
        self, facts: Facts, recipient: Recipient, group: OutboxGroup
    ) -> SmsLength | None:
        """The SMS with every name and text empty: what the template alone costs."""
        try:
            fixed = self.renderer.render(samples.without_text(facts), recipient, group.template)
        except (TemplateError, StatuspageError):
            return None
        return sms_length(fixed.text)

    def _measure(self, line: Line, facts: Facts) -> Line:
        plan, rendered = self.comms.plan, line.rendered
        assert rendered is not None
        problems: list[str] = []
        sms = social = None
        if line.channel == Channel.SMS:
            sms = sms_length(rendered.text)
            if sms.segments > plan.sms.max_segments:
                problems.append(
                    f"{sms.segments} SMS segments; the plan allows {plan.sms.max_segments}"
                )
        if line.channel == Channel.SOCIAL and plan.social:
            social = social_length(rendered.text, plan.social.network, plan.social.limit)
            if not social.fits:
                problems.append(
                    f"{social.length} characters; {plan.social.network} allows {plan.social.limit}"
                )
        return replace(
            line, sms=sms, social=social, tone=self._tone(line, facts), problems=tuple(problems)
        )

    def _tone(self, line: Line, facts: Facts) -> tuple[ToneFinding, ...]:
        rendered = line.rendered
        if rendered is None or line.channel in (Channel.WEBHOOK, Channel.SLACK):
            return ()
        audience = OWNER if line.kind is SegmentKind.OWNERS else CUSTOMER
        usage = Usage(
            Channel(line.channel),
            rendered.template,
            Phase(facts.phase),
            facts.policy,
            audience,
            Where("preview"),
        )
        at = facts.next_update_at
        text = " ".join(part for part in (rendered.subject, rendered.text) if part)
        return tuple(
            check_tone(
                text,
                needs_next_update=usage.needs_next_update,
                next_update_text=local_time(at, facts.page.time_zone) if at else None,
                acronyms=self.comms.plan.acronyms,
            )
        )

    def _warnings(self, seconds: float, cadence: timedelta | None) -> list[str]:
        warnings = []
        if not self.options.secret_key_set:
            warnings.append(
                "STATUSPAGE_SECRET_KEY is not set here: the links shown are preview links, and "
                "no message to subscribers can be sent without it; set it where "
                "`statuspage serve` runs"
            )
        if seconds > self.options.sms_warn_after:
            warnings.append(
                f"sending the SMS takes about {_minutes(seconds)} at {self.options.sms_rate:g} "
                "msg/s: raise the sender's throughput (a short code), or narrow the SMS routing"
            )
        if cadence and seconds > cadence.total_seconds():
            warnings.append(
                "the SMS send outlasts the update cadence: the next update is due before the "
                "last SMS of this one goes out (coalescing will skip the stale ones)"
            )
        return warnings


async def _as_posted(q: Queries, planned: Planned, update_id: str | None) -> Planned:
    """A preview of a posted update shows its promise and its approval, if it was given."""
    posted = await q.get_comms_event(update_id) if update_id else None
    preview = planned.event
    if posted is None or posted.phase != preview.phase:
        return planned
    if posted.approved_at is not None and preview.awaiting_approval:
        await q.approve_comms_event(preview.id, posted.approved_by or "", posted.approved_at)
    event = await q.get_comms_event(preview.id) or preview
    return replace(planned, event=replace(event, next_update_at=posted.next_update_at))


def _phase_of(incident: Incident) -> str:
    """The phase of an incident's latest update, as the service named it when posted."""
    if incident.is_maintenance:
        return {
            "scheduled": Phase.MAINTENANCE_SCHEDULED,
            "in_progress": Phase.MAINTENANCE_STARTED,
            "verifying": Phase.MAINTENANCE_UPDATED,
            "completed": Phase.MAINTENANCE_COMPLETED,
            "cancelled": Phase.MAINTENANCE_CANCELLED,
        }[incident.status].value
    if incident.status == "postmortem":
        return Phase.POSTMORTEM.value
    if incident.status == "resolved":
        return Phase.RESOLVED.value
    return (Phase.UPDATED if len(incident.updates) > 1 else Phase.DECLARED).value


def _approved(event: CommsEvent, time_zone: str) -> str | None:
    if event.approved_at is None:
        return None
    return f"approved by {event.approved_by} at {local_time(event.approved_at, time_zone)}"


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def waiting_messages(n: int) -> str:
    """The waiting messages counted as people write them: its 1 message waits, its 2 wait."""
    return f"its {n:,} message waits" if n == 1 else f"its {n:,} messages wait"
