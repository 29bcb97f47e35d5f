"""Rendering once per event and filling in each subscriber: never a different message."""

from __future__ import annotations

from pathlib import Path

from itsdangerous import URLSafeSerializer

from statuspage.comms.compose.context import Recipient, shared_vars
from statuspage.comms.compose.personalise import FULL, Personaliser
from statuspage.comms.compose.samples import typical
from statuspage.comms.compose.templates import Rendered, Templates
from statuspage.comms.plan.schema import Phase
from statuspage.links import LinkSigner
from statuspage.resources import COMMS_TEMPLATES

SHIPPED = COMMS_TEMPLATES


def render_for(templates: Templates, template: str, ids: list[str]) -> tuple[list[Rendered], dict]:  # type: ignore[type-arg]
    facts = typical(Phase.DECLARED, None, None)
    shared = shared_vars(facts, "en")
    personaliser = Personaliser(templates, LinkSigner("k"), smart_sms=True)
    cache: dict = {}  # type: ignore[type-arg]
    out = []
    for sid in ids:
        r = Recipient("subscriber", "email", "en", sid, f"{sid}@example.test")
        out.append(personaliser.render(facts, shared, r, template, cache))
    full = [
        personaliser.full(facts, shared, Recipient("subscriber", "email", "en", sid, "x"), template)
        for sid in ids
    ]
    assert out == full  # what was filled in is what a full render gives
    return out, cache


def test_each_subscriber_gets_their_own_links_from_one_render() -> None:
    found, cache = render_for(Templates((SHIPPED,)), "declared", ["sub000000001", "sub000000002"])
    assert isinstance(next(iter(cache.values())), Rendered)
    assert "sub000000001" not in found[1].text
    assert found[0].text != found[1].text


def test_a_template_that_cuts_a_link_is_rendered_in_full_for_everyone(tmp_path: Path) -> None:
    mine = tmp_path / "en" / "email"
    mine.mkdir(parents=True)
    (mine / "odd.subject.txt").write_text("Update")
    (mine / "odd.txt").write_text("Stop: {{ links.unsubscribe|truncate(70) }}")
    (mine / "odd.html").write_text("<p>{{ subscriber.id|upper }}</p>")
    found, cache = render_for(Templates((tmp_path, SHIPPED)), "odd", ["sub000000001", "sub2"])
    assert list(cache.values()) == [FULL]
    assert found[0].html == "<p>SUB000000001</p>" and found[1].html == "<p>SUB2</p>"


def test_the_delivery_alert_renders_on_every_owner_channel() -> None:
    facts = typical(Phase.DECLARED, None, None)
    alert = {"channel": "sms", "template": "declared", "language": "en", "code": "30007",
             "reason": "30007: carrier filtered the message",
             "command": "statuspage comms retry --channel sms"}  # fmt: skip
    personaliser = Personaliser(Templates((SHIPPED,)), LinkSigner("k"), smart_sms=True)
    variables = {**shared_vars(facts, "en"), "alert": alert}
    for channel in ("email", "sms", "slack"):
        r = Recipient("owner", channel, "en", address="x")
        found = personaliser.full(facts, variables, r, "delivery_alert")
        assert "statuspage comms retry --channel sms" in found.text, channel
    assert "Delivery stopped" in (personaliser.full(facts, variables, Recipient(
        "owner", "email", "en", address="x"), "delivery_alert").subject or "")  # fmt: skip


def test_link_tokens_are_itsdangerous_tokens_that_verify_for_their_purpose_only() -> None:
    signer = LinkSigner("k")
    for sid in ["01hx8k2m4n6p8r0t2v4w6y8z0a", "ann", "é" * 40, 'a"b\\c']:
        for purpose, other in (("manage", "unsubscribe"), ("unsubscribe", "manage")):
            token = signer.token(sid, purpose)
            assert signer.subscriber_id(token, purpose) == sid
            assert signer.subscriber_id(token, other) is None
            assert LinkSigner("other key").subscriber_id(token, purpose) is None
    reference = URLSafeSerializer("k", salt="statuspage.subscriber.unsubscribe")
    assert signer.token("01hx8k2m4n6p8r0t2v4w6y8z0a", "unsubscribe") == reference.dumps(
        "01hx8k2m4n6p8r0t2v4w6y8z0a"
    )
