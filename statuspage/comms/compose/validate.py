"""Validating a plan completely: its structure, then every template it names, rendered.

Each template is rendered with a typical sample (it must render, and its wording gets the
tone check) and, for SMS and social posts, with a worst-case sample (the longest values
the CLI accepts) that must fit the plan's SMS segment limit and the network's length limit.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Mapping as EnvMapping
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError

from statuspage.comms.compose import samples
from statuspage.comms.compose.context import (
    Facts,
    Recipient,
    Vars,
    recipient_vars,
    shared_vars,
)
from statuspage.comms.compose.lengths import sms_length, social_length
from statuspage.comms.compose.templates import Rendered, Templates, templates_for
from statuspage.comms.compose.tone import check_tone
from statuspage.comms.compose.wording import local_time
from statuspage.comms.plan.issues import Issues, Where
from statuspage.comms.plan.read import read_plan
from statuspage.comms.plan.schema import Channel, Plan
from statuspage.comms.plan.usage import CUSTOMER, OWNER, Usage, routed_segments, usages
from statuspage.errors import PlanError, StatuspageError
from statuspage.languages import codes as shipped_languages
from statuspage.links import LinkSigner

TRUNCATE_HINT = (
    "bound long values, e.g. {{ incident.name|truncate(60) }} and "
    "{{ update.text|truncate(200) }}, or raise channels.sms.max_segments"
)


@dataclass(frozen=True)
class InUse:
    """The languages a database's recipients read: the page's default language (owners'
    messages and the status account's posts) and active subscribers per channel."""

    page_language: str
    subscribers: dict[str, dict[str, int]]  # channel -> language -> active subscribers


@dataclass(frozen=True)
class SmsRow:
    """One SMS template in one language, measured with the typical and worst-case samples."""

    file: str
    language: str
    encoding: str
    units: int
    segments: int  # the typical message: the cost multiplier per recipient
    worst_segments: int
    fixed_segments: int  # the template's own text, every free-text value empty


@dataclass(frozen=True)
class Report:
    plan: Plan | None
    issues: Issues
    templates: int = 0  # template files rendered
    sms: tuple[SmsRow, ...] = ()


def validate_plan(
    path: Path,
    *,
    display: str | None = None,
    environ: EnvMapping[str, str] | None = None,
    in_use: InUse | None = None,
) -> Report:
    """Every error and warning of a plan; `plan` is None when there is an error.

    Templates missing in a language are reported for the languages `in_use` names (a
    database's), or without it for every shipped language."""
    issues = Issues()
    plan = read_plan(path, issues, display=display or _display(path), environ=environ)
    if plan is None:
        return Report(None, issues)
    checker = TemplateChecker(plan, issues, in_use)
    checker.run()
    for key, segment in plan.segments.items():
        if key not in routed_segments(plan):
            issues.warning(segment.where, f"segment {key!r} is not routed anywhere")
    sms = tuple(sorted(checker.sms_rows.values(), key=lambda r: (r.file, r.language)))
    return Report(None if issues.errors else plan, issues, len(checker.rendered_files), sms)


_LOADED: dict[str, tuple[tuple[float, ...], Plan]] = {}


def load_plan(path: Path, environ: EnvMapping[str, str] | None = None) -> Plan:
    """A valid plan, or PlanError naming the first error and how many there are.

    Validated once per process while neither the plan nor its templates change.
    """
    key = str(path.resolve())
    cached = _LOADED.get(key)
    if cached and cached[0] == _fingerprint(path, cached[1].template_dirs):
        return cached[1]
    report = validate_plan(path, environ=environ)
    if report.plan is None:
        errors = report.issues.errors
        raise PlanError(
            f"the comms plan {_display(path)} has {len(errors)} error"
            f"{'s' if len(errors) != 1 else ''}; first: {errors[0]} "
            f"(see all with: statuspage plan validate {_display(path)})"
        )
    _LOADED[key] = (_fingerprint(path, report.plan.template_dirs), report.plan)
    return report.plan


def _fingerprint(path: Path, template_dirs: tuple[Path, ...]) -> tuple[float, ...]:
    """Modification times of the plan and of every file in its template directories."""
    try:
        times = [path.stat().st_mtime]
    except OSError:
        return ()
    for directory in template_dirs:
        times += [f.stat().st_mtime for f in sorted(directory.rglob("*")) if f.is_file()]
    return tuple(times)


def _display(path: Path) -> str:
    """A path as short as it reads well: relative below the working directory, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.resolve()) if relative.startswith("..") else relative


class TemplateChecker:
    def __init__(self, plan: Plan, issues: Issues, in_use: InUse | None = None) -> None:
        self.plan = plan
        self.issues = issues
        self.in_use = in_use
        self.sms_rows: dict[tuple[str, str], SmsRow] = {}
        self.templates: Templates = templates_for(plan.template_dirs)
        self.signer = LinkSigner.preview()
        self.rendered_files: set[str] = set()
        self._facts_cache: dict[tuple[str, str, str, str], Facts] = {}
        self._vars_cache: dict[tuple[str, str, str, str, str], Vars] = {}
        self._warned: set[tuple[str, str]] = set()

    def run(self) -> None:
        groups: dict[tuple[Channel, str], list[Usage]] = {}
        for use in usages(self.plan):
            groups.setdefault((use.channel, use.name), []).append(use)
        for (channel, name), uses in groups.items():
            missing = self.templates.missing(channel, name, "en")
            if missing:
                for use in uses:
                    self.issues.error(
                        use.where,
                        f"missing template {missing[0]} (for {use.describe()})",
                        f"create it under {self.plan.template_dirs[0]}, or name an existing "
                        "template in templates.names",
                    )
                continue
            have = self.templates.languages(channel, name)
            self._check_missing_languages(channel, name, uses, have)
            for language in have:
                self._check_language(channel, name, language, uses)

    def _check_missing_languages(
        self, channel: Channel, name: str, uses: list[Usage], have: list[str]
    ) -> None:
        """A template without a version in a language its recipients read: they get en."""
        where = Where(self._file(uses[0], "en"))
        create = f"add it under {self.plan.template_dirs[0]}/<language>/{channel.value}/"
        if self.in_use is None:
            missing = [code for code in shipped_languages() if code not in have]
            if missing:
                self._warn_once(
                    where,
                    f"template {channel.value}/{name} has no {', '.join(missing)} version: "
                    f"recipients who read {', '.join(missing)} get the en version",
                    "language",
                    create,
                )
            return
        readers: dict[str, int] = {}
        if any(u.audience == CUSTOMER for u in uses):
            readers.update(self.in_use.subscribers.get(channel.value, {}))
        if any(u.audience == OWNER for u in uses) or channel is Channel.SOCIAL:
            readers.setdefault(self.in_use.page_language, 0)
        missing_for = {lang: n for lang, n in readers.items() if lang not in have}
        if missing_for:
            who = ", ".join(
                f"{lang} ({n:,} subscriber{'s' if n != 1 else ''})" if n else f"{lang} (the page)"
                for lang, n in sorted(missing_for.items())
            )
            self._warn_once(
                where,
                f"template {channel.value}/{name} is missing in languages the database's "
                f"recipients read: {who}; they get the en version",
                "language",
                create,
            )

    def _check_language(
        self, channel: Channel, name: str, language: str, uses: list[Usage]
    ) -> None:
        self.rendered_files.update(self.templates.names(channel, name, language).values())
        distinct = {(u.phase, u.policy.key if u.policy else "", u.audience): u for u in uses}
        for use in distinct.values():
            rendered = self._render(use, language, samples.typical)
            if rendered is None:
                return  # one report per broken template is enough
            self._check_content(use, rendered, language)
            if channel in (Channel.SMS, Channel.SOCIAL):
                self._check_length(use, language)

    def _facts(self, use: Usage, make: samples.Maker) -> Facts:
        key = (use.phase.value, use.policy.key if use.policy else "", use.audience, repr(make))
        if key not in self._facts_cache:
            facts = make(use.phase, use.policy, self.plan.social, maintenance=use.is_maintenance)
            if use.policy and use.policy.roles.approves and use.audience == OWNER:
                facts = replace(facts, approval_role=self.plan.owners[use.policy.roles.approves])
            self._facts_cache[key] = facts
        return self._facts_cache[key]

    def _variables(self, use: Usage, make: samples.Maker, recipient: Recipient) -> Vars:
        """Template variables, the costly shared part computed once per sample and language."""
        facts = self._facts(use, make)
        key = (use.phase.value, use.policy.key if use.policy else "", use.audience, repr(make),
               recipient.language)  # fmt: skip
        if key not in self._vars_cache:
            self._vars_cache[key] = shared_vars(facts, recipient.language)
        return {**self._vars_cache[key], **recipient_vars(facts, recipient, self.signer)}

    def _render(self, use: Usage, language: str, make: samples.Maker) -> Rendered | None:
        kind = "subscriber" if use.audience == CUSTOMER else "owner"
        owner = next(iter(self.plan.owners.values())) if kind == "owner" else None
        recipient = Recipient(kind, use.channel.value, language, "sub0sample01", owner=owner)
        try:
            variables = self._variables(use, make, recipient)
            return self.templates.render(
                use.channel, use.name, language, variables, smart_sms=self.plan.sms.smart_encoding
            )
        except (TemplateError, StatuspageError, TypeError, ValueError) as exc:
            first = self.templates.names(use.channel, use.name, language)
            where = self._where_of(exc, next(iter(first.values())))
            self.issues.error(
                where,
                f"template does not render for {use.describe()}: {_reason(exc)}",
                "see the README's 'Template variables' for what templates can use",
            )
            return None

    def _where_of(self, exc: BaseException, fallback: str) -> Where:
        if isinstance(exc, TemplateSyntaxError) and exc.filename:
            return Where(_display(Path(exc.filename)), exc.lineno or 1)
        dirs = [str(d) for d in self.plan.template_dirs]
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(frame.filename.startswith(d) for d in dirs):
                return Where(_display(Path(frame.filename)), frame.lineno or 1)
        path = self.templates.path(fallback)
        return Where(_display(path) if path else fallback)

    def _file(self, use: Usage, language: str, part: str = "text") -> str:
        name = self.templates.names(use.channel, use.name, language)[part]
        path = self.templates.path(name)
        return _display(path) if path else name

    def _check_content(self, use: Usage, rendered: Rendered, language: str) -> None:
        if use.channel in (Channel.WEBHOOK, Channel.SLACK):
            self._check_json(use, rendered, language)
            return
        if use.channel is Channel.EMAIL and not rendered.subject:
            where = Where(self._file(use, language, "subject"))
            self.issues.error(where, f"empty e-mail subject for {use.describe()}")
        self._check_tone(use, rendered, language)

    def _check_json(self, use: Usage, rendered: Rendered, language: str) -> None:
        where = Where(self._file(use, language))
        try:
            body = json.loads(rendered.text)
        except json.JSONDecodeError as exc:
            hint = "write values with |tojson, e.g. {{ incident.name|tojson }}"
            self.issues.error(where, f"renders invalid JSON for {use.describe()}: {exc}", hint)
            return
        needed = ("meta", "page", "incident") if use.channel is Channel.WEBHOOK else ("text",)
        absent = [k for k in needed if not isinstance(body, dict) or k not in body]
        if absent:
            self.issues.error(
                where,
                f"{use.channel.value} payload for {use.describe()} lacks {', '.join(absent)}",
                "webhooks carry the Statuspage shape {meta, page, incident}; Slack needs text",
            )

    def _check_tone(self, use: Usage, rendered: Rendered, language: str) -> None:
        facts = self._facts(use, samples.typical)
        at = facts.next_update_at
        next_at = local_time(at, facts.page.time_zone) if at else None
        parts = {"text": rendered.text}
        if rendered.subject:
            parts["subject"] = rendered.subject
        for part, text in parts.items():
            for finding in check_tone(text, acronyms=self.plan.acronyms):
                where = _locate(self._file(use, language, part), finding.needle)
                self._warn_once(where, f"tone ({use.describe()}): {finding}", finding.rule)
        whole = " ".join(parts.values())
        needs = use.needs_next_update
        for finding in check_tone(whole, needs_next_update=needs, next_update_text=next_at):
            if finding.rule == "next-update":
                where = Where(self._file(use, language))
                hint = (
                    "add e.g. {% if next_update %}Next update by {{ next_update.at }}.{% endif %}"
                )
                self.issues.warning(where, f"tone ({use.describe()}): {finding}", hint)

    def _check_length(self, use: Usage, language: str) -> None:
        worst = self._render(use, language, samples.worst_case)
        if worst is None:
            return
        where = Where(self._file(use, language))
        if use.channel is Channel.SOCIAL and self.plan.social:
            self._check_social(use, worst, where)
            return
        limit = self.plan.sms.max_segments
        size = sms_length(worst.text)
        self._measure_sms(use, language, where, size.segments)
        if size.segments > limit:
            self.issues.error(
                where,
                f"worst-case SMS for {use.describe()} is {size.segments} segments "
                f"({size.units} {size.encoding} units); the plan allows {limit}",
                TRUNCATE_HINT,
            )
            return
        risky = self._render(use, language, samples.worst_case_non_gsm)
        if risky is not None and sms_length(risky.text).segments > limit:
            self._warn_once(
                where,
                f"SMS for {use.describe()} fits in GSM-7, but an incident name with one "
                f"character outside GSM-7 (ł, ж, an emoji) makes it UCS-2: "
                f"{sms_length(risky.text).segments} segments > {limit}",
                "ucs-2",
                TRUNCATE_HINT,
            )

    def _measure_sms(self, use: Usage, language: str, where: Where, worst: int) -> None:
        """Encoding, segments (the cost per recipient) and the fixed text's own length."""
        key = (where.file, language)
        typical = self._render(use, language, samples.typical)
        fixed = self._render(use, language, samples.fixed_text)
        if typical is None or fixed is None:
            return
        size, own = sms_length(typical.text), sms_length(fixed.text)
        known = self.sms_rows.get(key)
        row = SmsRow(where.file, language, size.encoding, size.units, size.segments, worst,
                     own.segments)  # fmt: skip
        if known is not None:  # the longest of the template's uses
            row = SmsRow(
                row.file, language, row.encoding if row.units >= known.units else known.encoding,
                max(row.units, known.units), max(row.segments, known.segments),
                max(row.worst_segments, known.worst_segments),
                max(row.fixed_segments, known.fixed_segments),
            )  # fmt: skip
        self.sms_rows[key] = row
        if own.segments > 1:
            self._warn_once(
                where,
                f"the fixed text of this SMS alone (every name and text empty) takes "
                f"{own.segments} {own.encoding} segments ({own.units} units): every message "
                f"costs at least {own.segments}x",
                "fixed-text",
                "shorten the template's own wording; UCS-2 fits 70 units in one segment",
            )

    def _warn_once(self, where: Where, message: str, kind: str, hint: str = "") -> None:
        """One warning per template file and kind, however many severities use it."""
        if (where.file, kind) not in self._warned:
            self._warned.add((where.file, kind))
            self.issues.warning(where, message, hint)

    def _check_social(self, use: Usage, worst: Rendered, where: Where) -> None:
        social = self.plan.social
        assert social is not None
        length = social_length(worst.text, social.network, social.limit)
        if not length.fits:
            self.issues.error(
                where,
                f"worst-case {social.network.value} post for {use.describe()} is "
                f"{length.length} characters as {social.network.value} counts them; "
                f"the limit is {social.limit}",
                "bound long values with truncate, e.g. {{ incident.name|truncate(80) }}",
            )


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return " ".join(str(text).split())


def _locate(file: str, needle: str) -> Where:
    """Where the offending text first appears in a template file (case ignored), if it does."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return Where(file)
    for number, line in enumerate(lines, start=1):
        column = line.lower().find(needle.lower()) if needle else -1
        if column >= 0:
            return Where(file, number, column + 1)
    return Where(file)
