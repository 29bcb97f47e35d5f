"""Rendering messages: sandboxed, autoescaped HTML, language variants, signed links, payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statuspage.comms.compose.render_row import Renderer
from statuspage.comms.compose.templates import Templates
from statuspage.comms.compose.validate import load_plan
from statuspage.comms.kit import Comms
from statuspage.errors import InvalidInput
from statuspage.links import LinkSigner
from statuspage.model import Channel
from statuspage.resources import DEFAULT_PLAN
from statuspage.serialize import incident_json
from statuspage.service import Service
from statuspage.storage import Store
from statuspage.storage.outbox import OutboxRow
from tests.comms.conftest import SMALL_PLAN, add_subscriber, rows
from tests.conftest import FakeClock

SIGNER = LinkSigner("test-secret")


async def render(svc: Service, comms: Comms, row: OutboxRow) -> tuple[str, str | None, str]:
    renderer = Renderer(comms.plan, comms.templates, SIGNER)
    async with svc.store.read() as q:
        message = await renderer.render_row(q, row, svc.now())
    return message.text, message.html, message.subject or ""


async def test_html_email_escapes_names_and_sanitises_the_update(
    csvc: Service, comms: Comms
) -> None:
    subscriber = await add_subscriber(csvc, Channel.EMAIL, "a@x.test")
    await csvc.declare_incident(
        "<script>alert(1)</script> errors",
        message="**Logins fail.** <img src=x onerror=alert(1)> [status](https://s.test)",
        severity="SEV2",
    )
    (row,) = [r for r in await rows(csvc) if r.recipient_id == subscriber.id]
    text, html, subject = await render(csvc, comms, row)
    assert html is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt; errors" in html and "<script>" not in html
    assert "<strong>Logins fail.</strong>" in html and "<img" not in html
    assert subject == "[Acme] Investigating: <script>alert(1)</script> errors"
    assert "Logins fail." in text and "**" not in text


async def test_every_subscriber_message_carries_signed_manage_and_unsubscribe_links(
    csvc: Service, comms: Comms
) -> None:
    subscriber = await add_subscriber(csvc, Channel.EMAIL, "a@x.test")
    await csvc.declare_incident("API errors", message="m", severity="SEV2")
    (row,) = [r for r in await rows(csvc) if r.recipient_id == subscriber.id]
    text, _, _ = await render(csvc, comms, row)
    base = "https://status.acme.test/subscriptions/"
    manage = next(w for w in text.split() if w.startswith(base + "manage?token="))
    unsubscribe = next(w for w in text.split() if w.startswith(base + "unsubscribe?token="))
    assert SIGNER.subscriber_id(manage.split("token=")[1], "manage") == subscriber.id
    assert SIGNER.subscriber_id(unsubscribe.split("token=")[1], "unsubscribe") == subscriber.id
    assert SIGNER.subscriber_id(manage.split("token=")[1], "unsubscribe") is None


def test_links_cannot_be_signed_without_a_secret_key() -> None:
    with pytest.raises(InvalidInput, match="STATUSPAGE_SECRET_KEY is not set"):
        LinkSigner("").token("abc", "manage")


async def test_webhooks_carry_the_statuspage_incident_payload(
    csvc: Service, comms: Comms, clock: FakeClock
) -> None:
    hook = await add_subscriber(csvc, Channel.WEBHOOK, "https://hook.test/x")
    incident = await csvc.declare_incident("API errors", message="m", severity="SEV1")
    (row,) = [r for r in await rows(csvc) if r.recipient_id == hook.id]
    text, _, _ = await render(csvc, comms, row)
    body = json.loads(text)
    page = await csvc.page()
    components = {c.id: c for c in await csvc.list_components()}
    assert body["incident"] == incident_json(incident, page, components)
    assert body["page"] == {
        "id": page.id,
        "status_indicator": "critical",  # the open SEV1 incident is critical
        "status_description": "Major Service Outage",
    }
    assert body["meta"]["unsubscribe"].startswith("https://status.acme.test/subscriptions/")


@pytest.fixture
def german_plan(tmp_path: Path) -> Path:
    sms = tmp_path / "templates" / "de" / "sms"
    sms.mkdir(parents=True)
    (sms / "declared.txt").write_text(
        "{{ page.name }}: Wir untersuchen {{ incident.name|truncate(50) }}. {{ links.incident }}\n"
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        SMALL_PLAN.read_text().replace(
            "version: 1\n", "version: 1\ntemplates:\n  directory: templates\n"
        )
    )
    return plan


async def test_a_subscriber_gets_the_template_in_their_language_else_english(
    store: Store, clock: FakeClock, german_plan: Path
) -> None:
    comms = Comms(load_plan(german_plan))
    svc = Service(store, clock, comms=comms)
    await svc.ensure_page("Acme", "https://status.acme.test", "Europe/Berlin")
    de = await add_subscriber(svc, Channel.SMS, "+4915112345678", language="de")
    fr = await add_subscriber(svc, Channel.SMS, "+33612345678", language="fr")
    await svc.declare_incident("API-Fehler", message="m", severity="SEV1")
    found = {r.recipient_id: r for r in await rows(svc)}
    assert (found[de.id].language, found[fr.id].language) == ("de", "en")
    german, _, _ = await render(svc, comms, found[de.id])
    english, _, _ = await render(svc, comms, found[fr.id])
    assert german.startswith("Acme: Wir untersuchen API-Fehler.")
    assert english.startswith("Acme: investigating API-Fehler.")


def test_truncate_in_templates_is_exact(tmp_path: Path) -> None:
    (tmp_path / "en" / "sms").mkdir(parents=True)
    (tmp_path / "en" / "sms" / "t.txt").write_text("{{ text|truncate(20) }}")
    rendered = Templates((tmp_path,)).render(Channel.SMS, "t", "en", {"text": "word " * 20})
    assert len(rendered.text) <= 20 and rendered.text.endswith("...")


async def test_owner_contact_points_from_the_environment_are_resolved_only_when_sending(
    csvc: Service, comms: Comms
) -> None:
    plan = load_plan(DEFAULT_PLAN)
    default = Comms(plan)
    renderer = Renderer(
        plan, default.templates, SIGNER, {"STATUSPAGE_SLACK_INCIDENTS_URL": "https://h.test/s"}
    )
    async with csvc.store.read() as q:
        sending = await renderer.recipient_of(q, "owner", "incident_channel", "slack", "en")
        preview = await Renderer(plan, default.templates, SIGNER).recipient_of(
            q, "owner", "incident_channel", "slack", "en"
        )
    assert sending.address == "https://h.test/s"
    assert preview.address == "${STATUSPAGE_SLACK_INCIDENTS_URL}"


def test_a_language_variant_can_reuse_the_english_layout_through_gettext(tmp_path: Path) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    (tmp_path / "de" / "sms").mkdir(parents=True)
    (tmp_path / "de" / "sms" / "declared.txt").write_text(
        '{% extends "en/sms/_base.txt" %}{% block what %}Störung: {{ incident.name }}{% endblock %}'
    )
    catalog = Catalog(locale="de")
    catalog.add("Next update by %(time)s.", "Nächstes Update bis %(time)s.")
    mo = tmp_path / "locale" / "de" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as out:
        write_mo(out, catalog)
    from statuspage.comms.compose import samples
    from statuspage.comms.compose.context import Recipient, build
    from statuspage.comms.plan.read import SHIPPED_TEMPLATES
    from statuspage.comms.plan.schema import Phase

    templates = Templates((tmp_path, SHIPPED_TEMPLATES))
    plan = load_plan(SMALL_PLAN)
    facts = samples.typical(Phase.DECLARED, plan.severities["SEV1"], plan.social)
    variables = build(facts, Recipient("subscriber", "sms", "de", "s1"), SIGNER)
    assert templates.languages(Channel.SMS, "declared") == ["en", "de", "ru", "zh-Hans"]
    text = templates.render(Channel.SMS, "declared", "de", variables).text
    assert text.startswith(
        "Acme Status: Störung: Elevated API error rates. Nächstes Update bis 14:35 CET."
    )
