"""The shipped templates read well: owners' SMS in one segment, as sentences; customer e-mails
without boilerplate, and the next-update promise said once (en, zh-Hans, ru)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from statuspage.comms.compose import samples
from statuspage.comms.compose.context import Recipient, build
from statuspage.comms.compose.lengths import sms_length
from statuspage.comms.compose.templates import templates_for
from statuspage.comms.compose.validate import load_plan
from statuspage.comms.plan.schema import Channel, Phase
from statuspage.links import LinkSigner
from statuspage.resources import DEFAULT_PLAN

LANGUAGES = ("en", "zh-Hans", "ru")
PHASES = ("declared", "updated", "resolved")
BOILERPLATE = (
    "We are aware of a problem", "An update on the problem", "This incident is resolved",
    "我们已注意到", "关于", "此事件已解决", "Нам известно о проблеме", "Новости о проблеме",
    "Инцидент устранён",
)  # fmt: skip
PROMISES = {"en": "Next update by", "zh-Hans": "前发布下一次更新", "ru": "Следующее обновление"}


def render(kind: str, channel: Channel, name: str, phase: str, language: str, body: str = ""):  # type: ignore[no-untyped-def]
    plan = load_plan(DEFAULT_PLAN, environ={})
    facts = samples.typical(Phase(phase), plan.severities["SEV1"], plan.social, maintenance=False)
    if body and facts.update is not None:
        facts = replace(facts, update=replace(facts.update, body=body, translations=()))
    if kind == "owner":
        owner = plan.owners["incident_commander"]
        recipient = Recipient("owner", channel.value, language, address="x", owner=owner)
    else:
        recipient = Recipient("subscriber", channel.value, language, "sub0sample01")
    variables = build(facts, recipient, LinkSigner.preview())
    return templates_for(plan.template_dirs).render(channel, name, language, variables)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("phase", PHASES)
def test_the_owners_sms_fits_one_segment_and_reads_as_sentences(language: str, phase: str) -> None:
    text = render("owner", Channel.SMS, "internal", phase, language).text
    assert sms_length(text).segments == 1, text
    assert "Elevated API error rates" in text
    assert text.rstrip().endswith((".", "。")), text
    assert not text.startswith("["), text  # a sentence, not a log line
    sentences = [s for s in re.split(r"(?<=[.。])\s*", text) if s.strip()]
    assert all(s[0].isupper() or not s[0].isalpha() or s[0] >= "\u2e80" for s in sentences), text
    if phase != "resolved":
        assert "14:35 CET" in text  # when the customers' next update is due


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("phase", PHASES)
def test_customer_mail_has_no_boilerplate_and_promises_once(language: str, phase: str) -> None:
    mail = render("subscriber", Channel.EMAIL, phase, phase, language)
    assert mail.html is not None
    for text in (mail.text, mail.html):
        assert not [b for b in BOILERPLATE if b in text], text
        assert text.count(PROMISES[language]) == (0 if phase == "resolved" else 1)
    assert '<p style="margin:0 0 16px;"></p>' not in mail.html  # no empty lead paragraph
    assert mail.text.count("API") >= 1 and mail.text.count("Affected: API") <= 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_update_that_promises_its_next_one_is_not_repeated(language: str) -> None:
    body = "We found the cause and are deploying a fix. Next update by 14:35 CET."
    shown = render("subscriber", Channel.EMAIL, "updated", "updated", language, body=body)
    for text in (shown.text, shown.html or ""):
        said = text.count(PROMISES[language]) + text.count("14:35 CET")
        assert said == (2 if language == "en" else 1), text  # the update's own sentence only
    sms = render("subscriber", Channel.SMS, "updated", "updated", language, body=body).text
    assert "14:35 CET" in sms  # an SMS carries no update text: it keeps the promise
    mail = render("subscriber", Channel.EMAIL, "updated", "updated", language, body=body)
    assert mail.text.count("Next update by 14:35 CET.") == 1  # the engineer's own words
