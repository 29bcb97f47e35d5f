"""Messages in Chinese and Russian, end to end: the real SMTP server (aiosmtpd), the real
twilio client against the Messages API stand-in, and the Bluesky stand-in.

A subscriber reads the update in their language when it has a translation; otherwise the
original (the page's language) with a note saying so. Owners and the status account read
the page's language.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from statuspage.comms.compose.lengths import is_gsm, sms_length
from statuspage.model import Channel, SubscriberState, TranslationSubject
from statuspage.service import Service
from statuspage.service.comms_ops import approve
from tests.comms.conftest import add_subscriber
from tests.conftest import FakeClock
from tests.delivery.conftest import Providers, dispatch_once

LI = "li@example.test"  # reads zh-Hans
IVAN = "ivan@example.test"  # reads ru
ANN = "ann@example.test"  # reads en
LI_SMS = "+8613800138000"
IVAN_SMS = "+79161234567"

ZH_BODY = "我们正在调查 API 错误的原因。重试失败的请求是安全的。"
RU_BODY = "Мы выясняем причину ошибок API. Повторять неудачные запросы безопасно."


async def readers(svc: Service, channel: Channel, zh: str, ru: str) -> None:
    await add_subscriber(svc, channel, zh, language="zh-Hans")
    await add_subscriber(svc, channel, ru, language="ru")


async def declare(svc: Service, *, translated: bool) -> str:
    incident = await svc.declare_incident(
        "API errors",
        message="We are investigating errors.",
        severity="SEV1",
        components=[("API", None)],
        translations={"zh-Hans": ZH_BODY, "ru": RU_BODY} if translated else None,
        title_translations={"zh-Hans": "API 错误", "ru": "Ошибки API"} if translated else None,
    )
    await approve(svc.store, incident.id, "Dana", svc.now())
    return incident.id


def parts(mail: EmailMessage) -> tuple[str, str, str]:
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    return (
        str(mail["Subject"]),
        text.get_content().replace("\r\n", "\n"),
        html.get_content().replace("\r\n", "\n"),
    )


async def test_mail_in_chinese_and_russian_with_a_translated_update(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await readers(csvc, Channel.EMAIL, LI, IVAN)
    await add_subscriber(csvc, Channel.EMAIL, ANN)
    await add_subscriber(csvc, Channel.EMAIL, "olga@example.test", language="ru")
    await csvc.translate(TranslationSubject.COMPONENT, "API", "ru", {"name": "API-шлюз"})
    await declare(csvc, translated=True)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))

    (li,) = providers.smtp.to(LI)
    subject, text, html = parts(li)
    assert subject == "【Acme】正在调查：API 错误"
    assert ZH_BODY in text and ZH_BODY in html
    assert "我们已注意到" not in text  # no boilerplate: the status line and update say it
    assert "受影响的服务：API" in text
    assert "前发布下一次更新。" in text and "退订：https://status.acme.test/" in text
    assert "原文为" not in text + html and "We are investigating" not in text
    assert '<html lang="zh-Hans">' in html

    (ivan,) = providers.smtp.to(IVAN)
    subject, text, html = parts(ivan)
    assert subject == "[Acme] Расследуется: «Ошибки API»"
    assert RU_BODY in text and RU_BODY in html
    assert "Нам известно" not in text and text.count("Затронуто: API-шлюз") == 1
    assert "Выясняем причину — 10 марта 2026\u202fг., 13:00 CET" in text  # Babel's Russian date
    assert "Следующее обновление — до 10 марта 2026\u202fг., 13:30 CET." in text
    assert "Оригинал" not in text and "We are investigating" not in text
    (olga,) = providers.smtp.to("olga@example.test")  # one rendering, filled in per reader
    assert parts(olga)[0] == subject and RU_BODY in parts(olga)[1]
    assert olga["List-Unsubscribe"] != ivan["List-Unsubscribe"]

    (ann,) = providers.smtp.to(ANN)
    subject, text, _ = parts(ann)
    assert subject == "[Acme] Investigating: API errors"
    assert "We are investigating errors." in text and "Original in" not in text


async def test_mail_without_a_translation_shows_the_original_with_a_note(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await readers(csvc, Channel.EMAIL, LI, IVAN)
    await declare(csvc, translated=False)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))

    subject, text, html = parts(providers.smtp.to(LI)[0])
    assert subject == "【Acme】正在调查：API errors"
    assert "（原文为英文）\nWe are investigating errors." in text
    assert "（原文为英文）" in html and "We are investigating errors." in html

    subject, text, html = parts(providers.smtp.to(IVAN)[0])
    assert subject == "[Acme] Расследуется: «API errors»"
    assert "(Оригинал на английском)\nWe are investigating errors." in text
    assert "(Оригинал на английском)" in html


async def test_sms_in_chinese_and_russian_fit_one_ucs2_segment(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await readers(csvc, Channel.SMS, LI_SMS, IVAN_SMS)
    await declare(csvc, translated=True)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("sms",))

    (zh,) = providers.twilio.bodies_to(LI_SMS)
    assert zh.startswith("正在调查：API 错误。") and "前再次更新。" in zh
    assert zh.endswith("status.acme.test")  # the page's address fits, so it is added
    (ru,) = providers.twilio.bodies_to(IVAN_SMS)
    assert ru.startswith("Расследуем: «Ошибки API». Новости до ")
    assert "«" in ru  # smart encoding leaves a UCS-2 message's typography alone
    for body in (zh, ru):
        size = sms_length(body)
        assert (size.encoding, size.segments) == ("UCS-2", 1)
        assert size.units <= 70 and not all(is_gsm(c) for c in body)


async def test_sms_without_a_translation_keeps_the_original_title_and_one_segment(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await readers(csvc, Channel.SMS, LI_SMS, IVAN_SMS)
    await declare(csvc, translated=False)
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("sms",))
    (zh,) = providers.twilio.bodies_to(LI_SMS)
    (ru,) = providers.twilio.bodies_to(IVAN_SMS)
    assert zh.startswith("正在调查：API errors。") and "原文" not in zh  # no note in an SMS
    assert ru.startswith("Расследуем: «API errors».")
    assert [sms_length(b).segments for b in (zh, ru)] == [1, 1]


async def test_the_status_account_and_the_owners_use_the_pages_language(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    await csvc.set_page_language("ru")
    incident = await csvc.declare_incident(
        "Ошибки API",
        message="Мы выясняем причину ошибок.",
        severity="SEV1",
        components=[("API", None)],
        translations={"zh-Hans": "我们正在调查错误原因。"},
        title_translations={"zh-Hans": "API 错误"},
    )
    await approve(csvc.store, incident.id, "Dana", csvc.now())
    await add_subscriber(csvc, Channel.EMAIL, ANN)  # reads en: no en translation
    await readers(csvc, Channel.EMAIL, LI, IVAN)
    await csvc.update_incident(incident.id, message="Причина найдена.", status="identified",
                               translations={"zh-Hans": "已找到原因。"})  # fmt: skip
    await approve(csvc.store, incident.id, "Dana", csvc.now())
    clock.advance(seconds=61)  # e-mail's coalescing window after the declaration
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email", "social"))

    (post,) = providers.bluesky.records.values()  # the declaration's post was superseded
    assert str(post["text"]).startswith("Причина установлена: «Ошибки API»\n\nПричина найдена.")
    assert "Следующее обновление — до 13:30 CET." in str(post["text"])
    (ic,) = providers.smtp.to("ic@acme.test")  # owners too hear the newest update only
    assert str(ic["Subject"]) == "[SEV1] Обновление: «Ошибки API»"
    assert "Сообщения клиентам" not in parts(ic)[1] and "Причина установлена" in parts(ic)[1]
    subject, text, _ = parts(providers.smtp.to(ANN)[-1])
    assert subject == "[Acme] Identified: Ошибки API"
    assert "(Original in Russian)\nПричина найдена." in text
    subject, text, _ = parts(providers.smtp.to(LI)[-1])
    assert subject == "【Acme】已确定原因：API 错误" and "已找到原因。" in text
    assert "原文为" not in text
    _, text, _ = parts(providers.smtp.to(IVAN)[-1])
    assert "Причина найдена." in text and "Оригинал" not in text


async def test_webhook_and_slack_carry_the_readers_language(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    hook, slack = providers.hooks_url + "/receiver", providers.slack_url + "/T1/B1/zh"
    await add_subscriber(csvc, Channel.WEBHOOK, hook, language="ru")
    await add_subscriber(csvc, Channel.SLACK, slack, language="zh-Hans")
    incident = await csvc.declare_incident(
        "API errors", message="We are investigating errors.", severity="SEV1",
        components=[("API", None)], translations={"ru": RU_BODY},
        title_translations={"ru": "Ошибки API", "zh-Hans": "API 错误"},
    )  # fmt: skip
    await approve(csvc.store, incident.id, "Dana", csvc.now())
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("webhook", "slack"))

    ((_, _, payload),) = providers.hooks.received
    assert payload["incident"]["name"] == "Ошибки API"
    assert payload["incident"]["incident_updates"][0]["body"] == RU_BODY
    (post,) = [p for path, _, p in providers.slack.posts if path.endswith("/zh")]
    assert post["text"].startswith("正在调查：API 错误 - https://status.acme.test/incidents/")
    section = post["blocks"][1]["text"]["text"]
    assert section.startswith("_（原文为英文）_\nWe are investigating errors.")
    assert "前发布下一次更新。" in section


async def test_the_subscription_mails_speak_the_subscribers_language(
    csvc: Service, clock: FakeClock, providers: Providers, db_path: Path
) -> None:
    for address, language in ((LI, "zh-Hans"), (IVAN, "ru")):
        await add_subscriber(csvc, Channel.EMAIL, address, language=language,
                             state=SubscriberState.PENDING)  # fmt: skip
        await csvc.resend_confirmations([address])
    await dispatch_once(csvc, providers.settings(db_path), clock, only=("email",))
    subject, text, html = parts(providers.smtp.to(LI)[0])
    assert subject == "【Acme】请确认订阅"
    assert "请确认您希望通过电子邮件接收 Acme 的通知。" in text and "您选择的内容：全部服务" in text
    assert "链接有效期至 20" in text and "年" in text  # 2026年3月…日
    subject, text, html = parts(providers.smtp.to(IVAN)[0])
    assert subject == "[Acme] Подтвердите подписку"
    assert "Пожалуйста, подтвердите, что хотите получать уведомления Acme" in text
    assert "Вы выбрали: все компоненты" in text and ">Подтвердить</a>" in html
