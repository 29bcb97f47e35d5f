"""Comms plans: shipped plans validate, broken plans fail at the right file:line:column."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from statuspage.comms.compose import samples
from statuspage.comms.compose.context import Recipient, build
from statuspage.comms.compose.templates import PARTS, templates_for
from statuspage.comms.compose.validate import load_plan, validate_plan
from statuspage.comms.plan.issues import Issues
from statuspage.comms.plan.read import SHIPPED_TEMPLATES, read_plan
from statuspage.comms.plan.schema import (
    INCIDENT_PHASES,
    MAINTENANCE_PHASES,
    Channel,
    Phase,
)
from statuspage.comms.plan.typed_yaml import format_duration, parse_duration
from statuspage.comms.plan.usage import usages
from statuspage.comms.plan.yamlnodes import Mapping, Scalar, load
from statuspage.errors import PlanError
from statuspage.links import LinkSigner
from statuspage.resources import DEFAULT_PLAN
from statuspage.resources import PLANS as PLANS_DIR
from tests.comms.conftest import PLANS

SHIPPED_PLANS = sorted(PLANS_DIR.rglob("*.yaml"))
BROKEN = PLANS / "broken"
BROKEN_PLANS = sorted([*BROKEN.glob("*.yaml"), *BROKEN.glob("*/plan.yaml")])
EXPECT = re.compile(r"^# expect: (?:(?P<file>[^:]+):)?(?P<line>\d+):(?P<column>\d+): (?P<text>.+)$")


@pytest.mark.parametrize("path", SHIPPED_PLANS, ids=lambda p: p.name)
def test_every_shipped_plan_validates_and_renders_its_templates(path: Path) -> None:
    names = re.findall(r"\$\{(\w+)\}", path.read_text())
    report = validate_plan(path, environ={n: "https://x.test" for n in names})
    assert [str(i) for i in report.issues] == []
    unset = validate_plan(path, environ={})
    assert [i for i in unset.issues if "is not set in this environment" not in str(i)] == []
    assert report.plan is not None
    templates = templates_for(report.plan.template_dirs)
    named = {
        file
        for use in usages(report.plan)
        for language in ("en", "zh-Hans", "ru")
        for file in templates.names(use.channel, use.name, language).values()
    }
    assert report.templates == len(named) > 0
    assert {f.split("/")[0] for f in named} == {"en", "zh-Hans", "ru"}


def test_the_default_plan_has_four_severities_with_impact_cadence_and_owners() -> None:
    plan = load_plan(DEFAULT_PLAN)
    assert list(plan.severities) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    for policy in plan.severities.values():
        assert policy.impact is not None and policy.cadence and policy.roles.speaks
        assert plan.owners[policy.roles.reminded].backup in plan.owners
    assert plan.severities["SEV1"].roles.approves == "incident_commander"
    assert plan.severities["SEV1"].cadence_for("investigating") == timedelta(minutes=30)


CHANNEL_TEMPLATES = [
    (channel, phase)
    for channel in (Channel.EMAIL, Channel.SMS, Channel.SOCIAL, Channel.SLACK)
    for phase in (*INCIDENT_PHASES, *MAINTENANCE_PHASES)
] + [(Channel.WEBHOOK, p) for p in (*INCIDENT_PHASES, *MAINTENANCE_PHASES)]


@pytest.mark.parametrize(("channel", "phase"), CHANNEL_TEMPLATES, ids=str)
def test_a_shipped_template_exists_and_renders_for_every_phase_and_channel(
    channel: Channel, phase: Phase
) -> None:
    templates = templates_for((SHIPPED_TEMPLATES,))
    name = "event" if channel is Channel.WEBHOOK else phase.value
    assert templates.missing(channel, name, "en") == []
    plan = load_plan(DEFAULT_PLAN)
    maintenance = phase in MAINTENANCE_PHASES
    policy = plan.maintenance if maintenance else plan.severities["SEV1"]
    facts = samples.typical(phase, policy, plan.social, maintenance=maintenance)
    variables = build(facts, Recipient("subscriber", channel, "en", "s1"), LinkSigner.preview())
    rendered = templates.render(channel, name, "en", variables)
    assert facts.incident.name in rendered.text or channel is Channel.WEBHOOK
    assert set(PARTS[channel]) and rendered.text


SUBSCRIBER_TEMPLATES = [
    (channel, phase)
    for channel in (Channel.EMAIL, Channel.SMS, Channel.SLACK, Channel.WEBHOOK)
    for phase in (*INCIDENT_PHASES, *MAINTENANCE_PHASES)
]


@pytest.mark.parametrize(("channel", "phase"), SUBSCRIBER_TEMPLATES, ids=str)
def test_every_shipped_message_to_a_subscriber_says_how_to_manage_or_stop_it(
    channel: Channel, phase: Phase
) -> None:
    templates = templates_for((SHIPPED_TEMPLATES,))
    name = "event" if channel is Channel.WEBHOOK else phase.value
    plan = load_plan(DEFAULT_PLAN)
    maintenance = phase in MAINTENANCE_PHASES
    policy = plan.maintenance if maintenance else plan.severities["SEV1"]
    facts = samples.typical(phase, policy, plan.social, maintenance=maintenance)
    variables = build(facts, Recipient("subscriber", channel, "en", "s1"), LinkSigner.preview())
    manage, unsubscribe = variables["links"]["manage"], variables["links"]["unsubscribe"]
    assert "/subscriptions/manage?token=" in manage
    rendered = templates.render(channel, name, "en", variables)
    if channel is Channel.SMS:
        assert rendered.text.endswith("Reply STOP to stop.")  # STOP works through the hook
    elif channel is Channel.WEBHOOK:
        meta = json.loads(rendered.text)["meta"]
        assert (meta["manage"], meta["unsubscribe"]) == (manage, unsubscribe)
    elif channel is Channel.SLACK:
        links = json.dumps(json.loads(rendered.text)["blocks"])
        assert f"<{manage}|" in links and f"<{unsubscribe}|" in links
    else:
        for part in (rendered.text, rendered.html or ""):
            assert manage in part and unsubscribe in part


def _expected(path: Path) -> tuple[Path, int, int, str]:
    match = EXPECT.match(path.read_text().splitlines()[0])
    assert match, f"{path} must start with '# expect: [FILE:]LINE:COLUMN: message'"
    file = path.parent / match["file"] if match["file"] else path
    return file.resolve(), int(match["line"]), int(match["column"]), match["text"]


@pytest.mark.parametrize("path", BROKEN_PLANS, ids=lambda p: str(p.relative_to(BROKEN)))
def test_a_broken_plan_fails_with_the_right_file_line_and_message(path: Path) -> None:
    file, line, column, text = _expected(path)
    report = validate_plan(path)
    assert report.plan is None
    found = [
        (Path(i.where.file).resolve(), i.where.line, i.where.column, str(i))
        for i in report.issues.errors
    ]
    assert any(
        (f, ln, col) == (file, line, column) and text in message for f, ln, col, message in found
    ), "\n".join(message for *_, message in found)


def test_loading_a_broken_plan_names_the_first_error_and_the_command() -> None:
    with pytest.raises(PlanError, match=r"has \d+ errors?; first: .*unknown_role.yaml:16:38"):
        load_plan(BROKEN / "unknown_role.yaml")


def test_yaml_nodes_keep_positions_and_source_text(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("a:\n  no: +4930123456\n  b: [x, y]\n")
    root = load(path, Issues())
    assert isinstance(root, Mapping)
    inner = root.get("a")
    assert isinstance(inner, Mapping) and list(inner.entries) == ["no", "b"]
    phone = inner.get("no")
    assert isinstance(phone, Scalar) and phone.text == "+4930123456"
    assert (phone.where.line, phone.where.column) == (2, 7)
    assert inner.key_where("b").line == 3


def test_anchors_and_merge_keys_share_routing_between_severities(tmp_path: Path) -> None:
    path = tmp_path / "anchored.yaml"
    path.write_text(
        "version: 1\n"
        "owners:\n"
        "  ic: {contacts: {email: ic@acme.test}, backup: lead}\n"
        "  lead: {contacts: {email: lead@acme.test}, backup: ic}\n"
        "segments:\n"
        "  staff: {owners: all}\n"
        "  everyone: {subscribers: {}}\n"
        "severities:\n"
        "  SEV1:\n"
        "    impact: critical\n"
        "    cadence: 30m\n"
        "    owners: {speaks: ic}\n"
        "    routing: &loud\n"
        "      declared: {staff: [email], everyone: [email]}\n"
        "      resolved: {everyone: [email]}\n"
        "  SEV2:\n"
        "    impact: major\n"
        "    cadence: 1h\n"
        "    owners: {speaks: ic}\n"
        "    routing:\n"
        "      <<: *loud\n"
        "      resolved: {staff: [email]}\n"
    )
    issues = Issues()
    plan = read_plan(path, issues)
    assert [str(i) for i in issues.errors] == []
    assert plan is not None
    sev2 = plan.severities["SEV2"].routing
    assert [r.segment for r in sev2[Phase.DECLARED]] == ["staff", "everyone"]
    assert [r.segment for r in sev2[Phase.RESOLVED]] == ["staff"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), ("90s", 90), ("1h 5m", 3900)],
)
def test_durations_read_and_print_the_same_way(text: str, seconds: int) -> None:
    value = parse_duration(text)
    assert value == timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("text", ["30", "30 mins", "m", "0m", "-5m", "1.5h", ""])
def test_malformed_durations_are_refused(text: str) -> None:
    assert parse_duration(text) is None


def test_tone_problems_in_a_template_are_warnings_at_their_line(tmp_path: Path) -> None:
    sms = tmp_path / "en" / "sms"
    sms.mkdir(parents=True)
    (sms / "declared.txt").write_text(
        "{{ page.name|truncate(20) }}: {{ incident.name|truncate(40) }}.\n"
        "We are on it! {{ links.incident }}\n"
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        (PLANS / "small.yaml")
        .read_text()
        .replace("version: 1\n", "version: 1\ntemplates:\n  directory: .\n")
    )
    report = validate_plan(plan)
    assert report.plan is not None  # warnings do not block
    warnings = [i for i in report.issues.warnings if "sms" in i.where.file]
    assert {(i.where.line, i.where.column) for i in warnings if "exclamation" in i.message} == {
        (2, 13)
    }
    assert any("no next-update time" in i.message for i in warnings)
