"""The subscription pages in the reader's language: ?lang= (remembered in a cookie), the
cookie, Accept-Language, the page's default; the language of the messages chosen on the
form and the manage page, and the messages then sent in it (the plan here has e-mail
templates in ru and zh-Hans; SMS only in en)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from statuspage.service import Service
from statuspage.subscribe import site as subscribe_site
from tests.subscribe.conftest import Providers, Site, body_of, link, open_site

LANGUAGE_PLAN = Path(__file__).parent / "plans" / "languages.yaml"
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.8"}


@pytest.fixture
def site(db_path: Path, providers: Providers) -> Iterator[Site]:
    with open_site(db_path, providers, comms_plan=str(LANGUAGE_PLAN)) as opened:
        yield opened


def html_lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)">', page.text)
    assert found is not None, page.text[:200]
    return found.group(1)


def selected_language(page: httpx.Response) -> str:
    select = page.text[page.text.index('<select id="language"') :]
    select = select[: select.index("</select>")]
    found = re.search(r'<option value="([^"]+)" lang="[^"]+" selected>', select)
    assert found is not None, select
    return found.group(1)


def offered_languages(page: httpx.Response) -> list[tuple[str, str]]:
    return re.findall(
        r'<option value="([^"]+)" lang="[^"]+"(?: selected)?>([^<]+)</option>', page.text
    )


# -- choosing the language of the page ---------------------------------------------------


def test_accept_language_chooses_the_language_of_the_form(site: Site) -> None:
    ru = site.client.get("/subscribe", headers=RU)
    assert ru.status_code == 200 and html_lang(ru) == "ru"
    assert ru.headers["Content-Language"] == "ru"
    assert ru.headers["Vary"] == "Accept-Language, Cookie"
    assert ru.headers["Cache-Control"] == "no-store"
    for text in ("Подписаться на обновления", "Адрес эл. почты", "Язык уведомлений",
                 "О чём вы хотите получать уведомления?", "Все компоненты"):  # fmt: skip
        assert text in ru.text
    assert "Subscribe to updates" not in ru.text and "E-mail address" not in ru.text
    assert "statuspage_lang" not in ru.headers.get("set-cookie", "")  # a header is no choice

    zh = site.client.get("/subscribe", headers=ZH)  # zh-CN is written in Hans
    assert html_lang(zh) == "zh-Hans" and zh.headers["Content-Language"] == "zh-Hans"
    for text in ("订阅更新", "电子邮件地址", "通知语言", "您希望接收哪些通知？"):
        assert text in zh.text

    en = site.client.get("/subscribe", headers=EN)
    assert html_lang(en) == "en" and "Subscribe to updates" in en.text


def test_lang_in_the_query_wins_and_is_remembered_in_a_cookie(site: Site) -> None:
    chosen = site.client.get("/subscribe?lang=zh-Hans", headers=RU)
    assert html_lang(chosen) == "zh-Hans" and "订阅更新" in chosen.text
    cookie = next(
        c for c in chosen.headers.get_list("set-cookie") if c.startswith("statuspage_lang=")
    )
    parts = {p.strip().split("=")[0].lower(): p.strip() for p in cookie.split(";")}
    assert parts["statuspage_lang"] == "statuspage_lang=zh-Hans"
    assert parts["max-age"] == "Max-Age=31536000"
    assert parts["path"] == "Path=/"
    assert parts["samesite"].lower() == "samesite=lax"

    later = site.client.get("/subscribe", headers=RU)  # the cookie beats Accept-Language
    assert html_lang(later) == "zh-Hans" and "订阅更新" in later.text

    forgiving = site.client.get("/subscribe?lang=ru-RU", headers=ZH)  # ru-RU names ru
    assert html_lang(forgiving) == "ru"
    assert "statuspage_lang=ru;" in forgiving.headers["set-cookie"]
    assert html_lang(site.client.get("/subscribe", headers=EN)) == "ru"

    unknown = site.client.get("/subscribe?lang=xx", headers=EN)  # not a choice: the cookie
    assert html_lang(unknown) == "ru"
    assert "statuspage_lang" not in unknown.headers.get("set-cookie", "")


def test_without_a_choice_the_page_language_is_the_default(site: Site) -> None:
    assert html_lang(site.client.get("/subscribe")) == "en"
    site.run(lambda svc: svc.set_page_language("ru"))
    # Published after the write: the page's default reaches the form.
    site.wait(lambda: html_lang(site.client.get("/subscribe")) == "ru")
    assert html_lang(site.client.get("/subscribe", headers=ZH)) == "zh-Hans"


def test_links_and_form_actions_keep_the_language(site: Site) -> None:
    page = site.client.get("/subscribe?lang=ru&channel=email")
    assert '<form method="post" action="/subscribe?lang=ru"' in page.text
    assert 'href="/subscribe?channel=sms&amp;lang=ru"' in page.text  # the channel tabs
    assert 'href="/subscribe?lang=ru"' in page.text  # the page's own Subscribe link
    english = site.client.get("/subscribe?lang=en")
    assert '<form method="post" action="/subscribe?lang=en"' in english.text


# -- the language of the messages ---------------------------------------------------------


def test_the_forms_language_defaults_to_the_readers_and_offers_what_the_channel_has(
    site: Site,
) -> None:
    ru = site.client.get("/subscribe?channel=email", headers=RU)
    assert offered_languages(ru) == [("en", "English"), ("ru", "Русский"), ("zh-Hans", "简体中文")]
    assert selected_language(ru) == "ru"
    assert selected_language(site.client.get("/subscribe?channel=email", headers=ZH)) == "zh-Hans"
    assert selected_language(site.client.get("/subscribe?channel=email", headers=EN)) == "en"
    # SMS offers what its templates have (the shipped ru ones among them).
    sms = site.client.get("/subscribe?channel=sms", headers=RU)
    assert html_lang(sms) == "ru" and selected_language(sms) == "ru"


def test_a_subscription_from_the_russian_form_is_in_russian_and_confirmed_in_russian(
    site: Site,
) -> None:
    _, token = site.form("/subscribe?lang=ru")
    sent = site.client.post(
        "/subscribe?lang=ru",
        data={"csrf_token": token, "channel": "email", "email": "ivan@example.com",
              "scope": "all", "language": "ru"},
    )  # fmt: skip
    assert sent.status_code == 200 and "Проверьте почту" in sent.text
    stored = site.run(lambda svc: svc.get_subscriber("ivan@example.com"))
    assert stored.language == "ru"

    [mail] = site.wait(lambda: site.mails_to("ivan@example.com"))
    assert mail["Subject"] == "[Acme] Подтвердите подписку"
    assert "Подтвердите, что хотите получать обновления Acme" in body_of(mail)

    site.client.cookies.clear()  # a mail client, not the browser that subscribed
    opened = site.client.get(_path(link(body_of(mail), "confirm")), headers=EN)
    # The subscriber's own link opens in their language.
    assert html_lang(opened) == "ru" and "Подтвердите подписку" in opened.text
    done = site.press(opened)
    assert done.status_code == 200 and "Подписка оформлена" in done.text
    assert "/subscriptions/manage?token=" in done.text and "&amp;lang=ru" in done.text
    welcome = site.wait(lambda: site.mails_to("ivan@example.com")[1:])[0]
    assert welcome["Subject"] == "[Acme] Подписка оформлена"


def test_a_forgiving_language_tag_is_stored_as_the_shipped_one(site: Site) -> None:
    answer = site.subscribe("email", "li@example.com", language="zh-CN")
    assert answer.status_code == 200
    assert site.run(lambda svc: svc.get_subscriber("li@example.com")).language == "zh-Hans"
    [mail] = site.wait(lambda: site.mails_to("li@example.com"))
    assert mail["Subject"] == "[Acme] 确认订阅"


def test_with_no_language_field_the_readers_language_is_stored(site: Site) -> None:
    _, token = site.form("/subscribe")
    data = {"csrf_token": token, "channel": "email", "email": "olga@example.com", "scope": "all"}
    assert site.client.post("/subscribe", data=data, headers=RU).status_code == 200
    assert site.run(lambda svc: svc.get_subscriber("olga@example.com")).language == "ru"
    # SMS has no ru templates: an SMS subscriber reading in ru gets messages in en.
    sms = site.subscribe("sms", "+1 415 555 0199", phone_country="US")
    assert sms.status_code == 200
    assert site.run(lambda svc: svc.get_subscriber("+14155550199")).language == "en"


def test_a_language_not_offered_is_refused_in_the_readers_language(site: Site) -> None:
    _, token = site.form("/subscribe?lang=ru")
    refused = site.client.post(
        "/subscribe?lang=ru",
        data={"csrf_token": token, "channel": "email", "email": "x@example.com",
              "scope": "all", "language": "de"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Выберите один из предложенных языков." in refused.text
    assert "Обнаружена ошибка" in refused.text
    empty = site.client.post(
        "/subscribe?lang=zh-Hans",
        data={"csrf_token": token, "channel": "email", "email": "", "scope": "all"},
    )
    assert empty.status_code == 422 and "请输入您的电子邮件地址。" in empty.text
    assert site.run(_count) == 0


def test_the_manage_page_shows_and_changes_the_language(site: Site) -> None:
    site.subscribe("email", "anna@example.com", language="ru")
    mail = site.wait(lambda: site.mails_to("anna@example.com"))[0]
    site.press(site.visit(link(body_of(mail), "confirm")))
    welcome = site.wait(lambda: site.mails_to("anna@example.com")[1:])[0]
    site.client.cookies.clear()
    manage = site.visit(link(body_of(welcome), "manage"))
    assert html_lang(manage) == "ru" and "Ваша подписка" in manage.text
    assert "Сохранить изменения" in manage.text and "Прекратить все уведомления" in manage.text
    assert selected_language(manage) == "ru"

    saved = site.press(manage, language="zh-Hans")
    assert saved.status_code == 200 and "Изменения сохранены." in saved.text
    assert str(saved.url).endswith("&saved=1&lang=ru")  # the page stays in the reader's language
    assert site.run(lambda svc: svc.get_subscriber("anna@example.com")).language == "zh-Hans"
    assert selected_language(saved) == "zh-Hans"

    refused = site.press(saved, language="klingon")
    assert refused.status_code == 422 and "Выберите один из предложенных языков." in refused.text
    assert site.run(lambda svc: svc.get_subscriber("anna@example.com")).language == "zh-Hans"

    # The subscriber's language opens their links when the reader has not chosen one.
    site.client.cookies.clear()
    again = site.visit(link(body_of(welcome), "manage"))
    assert html_lang(again) == "zh-Hans" and "您的订阅" in again.text
    chosen = site.client.get(_path(link(body_of(welcome), "manage")) + "&lang=en")
    assert html_lang(chosen) == "en" and "Your subscription" in chosen.text
    # A choice of English sticks (the cookie), and links carry it as ?lang=en.
    assert 'action="/subscriptions/manage' in chosen.text and "lang=en" in chosen.text
    kept = site.press(chosen, language="ru")
    assert html_lang(kept) == "en" and "Your changes are saved." in kept.text
    assert site.run(lambda svc: svc.get_subscriber("anna@example.com")).language == "ru"


def test_a_bad_link_is_explained_in_the_readers_language(site: Site) -> None:
    zh = site.client.get("/subscriptions/manage?token=nonsense", headers=ZH)
    assert zh.status_code == 400 and html_lang(zh) == "zh-Hans"
    assert "此链接无效" in zh.text and "此链接无效。" in zh.text
    ru = site.client.get("/subscriptions/confirm?token=nonsense&lang=ru")
    assert ru.status_code == 400 and "Эта ссылка недействительна" in ru.text
    assert "Ссылка для подтверждения недействительна." in ru.text


def test_unsubscribing_in_chinese(site: Site) -> None:
    site.subscribe("email", "wang@example.com", language="zh-Hans")
    mail = site.wait(lambda: site.mails_to("wang@example.com"))[0]
    site.press(site.visit(link(body_of(mail), "confirm")))
    welcome = site.wait(lambda: site.mails_to("wang@example.com")[1:])[0]
    site.client.cookies.clear()
    manage = site.visit(link(body_of(welcome), "manage"))
    assert html_lang(manage) == "zh-Hans" and "停止接收所有更新" in manage.text
    gone = site.press(manage, action="unsubscribe")
    assert "您已取消订阅" in gone.text and "误取消了订阅？" in gone.text
    assert gone.headers["Content-Language"] == "zh-Hans"


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


async def _count(svc: Service) -> int:
    return len(await svc.list_subscribers())


def test_the_json_twin_takes_a_forgiving_language_or_the_readers(site: Site) -> None:
    given = site.client.post(
        "/subscribe", json={"channel": "email", "email": "petr@example.com", "language": "ru-RU"}
    )
    assert given.status_code == 202, given.text
    assert site.run(lambda svc: svc.get_subscriber("petr@example.com")).language == "ru"
    unsaid = site.client.post(
        "/subscribe", json={"channel": "email", "email": "zhang@example.com"}, headers=ZH
    )
    assert unsaid.status_code == 202, unsaid.text
    assert site.run(lambda svc: svc.get_subscriber("zhang@example.com")).language == "zh-Hans"
    refused = site.client.post(
        "/subscribe", json={"channel": "email", "email": "k@example.com", "language": "tlh"}
    )
    assert refused.status_code == 422
    assert refused.json() == {"error": "Choose one of the languages offered.", "field": "language"}


def test_one_renderer_per_language_serves_every_request(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    class Counted(subscribe_site.Renderer):
        def __init__(self, language: str = "en") -> None:
            made.append(language)
            super().__init__(language)

    monkeypatch.setattr(subscribe_site, "Renderer", Counted)
    for headers in (RU, ZH, RU, EN, ZH, RU):
        assert site.client.get("/subscribe", headers=headers).status_code == 200
    assert sorted(made) == ["en", "ru", "zh-Hans"]


def test_the_sms_code_pages_speak_russian(site: Site) -> None:
    _, token = site.form("/subscribe?lang=ru&channel=sms")
    page = site.client.post(
        "/subscribe?lang=ru",
        data={"csrf_token": token, "channel": "sms", "phone": "(415) 555-0111",
              "phone_country": "US", "scope": "all"},
    )  # fmt: skip
    assert page.status_code == 200 and html_lang(page) == "ru"
    assert "Введите код" in page.text and "ответьте на это SMS словом YES" in page.text
    assert 'action="/subscriptions/confirm?lang=ru"' in page.text
    sms = site.wait(lambda: site.providers.twilio.bodies_to("+14155550111"))
    code = re.search(r"\b(\d{6})\b", sms[0]).group(1)  # type: ignore[union-attr]
    wrong = site.press(page, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422
    assert "Код неверен или срок его действия истёк." in wrong.text
    done = site.press(wrong, code=code)
    assert done.status_code == 200 and "Подписка оформлена" in done.text
    # The shipped SMS templates speak Russian: the subscriber's messages will too.
    assert site.run(lambda svc: svc.get_subscriber("+14155550111")).language == "ru"
