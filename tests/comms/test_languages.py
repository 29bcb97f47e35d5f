"""Comms in Chinese and Russian: tone rules per language, SMS sizes of the shipped templates,
templates missing in a language (plan validate), fallbacks and once-only warnings (preview)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from statuspage.comms.compose import samples
from statuspage.comms.compose.context import Recipient, build
from statuspage.comms.compose.lengths import sms_length
from statuspage.comms.compose.templates import templates_for
from statuspage.comms.compose.tone import check_tone
from statuspage.comms.compose.validate import InUse, load_plan, validate_plan
from statuspage.comms.plan.schema import Channel, Phase
from statuspage.links import LinkSigner
from statuspage.model import new_id
from statuspage.resources import DEFAULT_PLAN
from tests.comms.test_cli import declare
from tests.conftest import RunCli

CUSTOMER_SMS = [
    "declared", "updated", "resolved", "postmortem", "maintenance_scheduled",
    "maintenance_starting_soon", "maintenance_started", "maintenance_updated",
    "maintenance_completed", "maintenance_cancelled",
]  # fmt: skip


@pytest.fixture
def page(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """A page under the shipped default plan, with API and Web components."""
    monkeypatch.setenv("STATUSPAGE_COMMS_PLAN", str(DEFAULT_PLAN))
    monkeypatch.setenv("STATUSPAGE_SLACK_INCIDENTS_URL", "https://hooks.slack.test/incidents")
    for args in (
        ("page", "set", "--name", "Acme Status", "--url", "https://status.acme.test"),
        ("component", "add", "API"),
        ("component", "add", "Web"),
    ):
        assert run_cli(*args).exit_code == 0
    return run_cli


# --- tone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("我们正在全力处理！", "exclamation"),
        ("服务怎么又中断了？？", "question-marks"),
        ("Что происходит?!", "question-marks"),
        ("哈哈，数据库出了点问题。", "humour"),
        ("嘻嘻，小故障。", "humour"),
        ("服务已恢复 😂", "emoji"),
        ("我们会在十分钟内修复。", "promise"),
        ("服务将马上恢复。", "promise"),
        ("工程师将立即修复此问题。", "promise"),
        ("预计 30 分钟后恢复正常。", "promise"),
        ("Исправим через 10 минут.", "promise"),
        ("Починим за час.", "promise"),
        ("Через полчаса всё заработает.", "promise"),
        ("Скоро починим, не волнуйтесь.", "promise"),
        ("Упс, небольшой сбой)))", "humour"),
        ("Сервис НЕ РАБОТАЕТ у всех клиентов.", "shouting"),
    ],
)
def test_each_tone_problem_is_found_in_chinese_and_russian(text: str, rule: str) -> None:
    assert rule in [f.rule for f in check_tone(text)]


@pytest.mark.parametrize(
    "text",
    [
        "我们正在调查 API 错误率升高的问题。重试失败的请求是安全的。14:35 CET 前再次更新。",
        "正在调查：Elevated API error rates。14:35 CET前再次更新。status.acme.example",
        "此事件已解决。我们将尽快发布事后分析。",
        "Мы выясняем причину ошибок API. Следующее обновление — до 14:35 CET.",
        "Сервис восстановлен. Работа СМС-шлюза в ЦОД МСК проверена.",
        "Что изменилось? Мы перенесли базу данных (см. разбор инцидента).",
    ],
)
def test_calm_chinese_and_russian_pass(text: str) -> None:
    assert check_tone(text, acronyms=["API"]) == []


def test_a_russian_or_chinese_message_names_the_next_update() -> None:
    for text in ("Следующее обновление — до 14:35.", "下次更新时间：14:35。"):
        assert check_tone(text, needs_next_update=True) == []
    assert [f.rule for f in check_tone("Мы выясняем причину.", needs_next_update=True)] == [
        "next-update"
    ]


# --- the shipped SMS templates ------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-Hans", "ru"])
@pytest.mark.parametrize("name", CUSTOMER_SMS)
def test_shipped_chinese_and_russian_sms_fit_one_ucs2_segment(language: str, name: str) -> None:
    plan = load_plan(DEFAULT_PLAN, environ={})
    maintenance = name.startswith("maintenance")
    policy = plan.maintenance if maintenance else plan.severities["SEV1"]
    facts = samples.typical(Phase(name), policy, plan.social, maintenance=maintenance)
    recipient = Recipient("subscriber", "sms", language, "sub0sample01")
    variables = build(facts, recipient, LinkSigner.preview())
    text = templates_for(plan.template_dirs).render(Channel.SMS, name, language, variables).text
    size = sms_length(text)
    assert (size.encoding, size.segments) == ("UCS-2", 1), text
    assert "Elevated API error rates" in text


def test_sms_segment_counts_of_long_chinese_and_russian_texts() -> None:
    assert sms_length("维" * 70).segments == 1
    assert sms_length("维" * 71).segments == 2  # 67 per segment once split
    assert sms_length("维" * 134).segments == 2 and sms_length("维" * 135).segments == 3
    assert sms_length("ж" * 70).segments == 1 and sms_length("ж" * 71).segments == 2
    assert sms_length("Сбой «API»").encoding == "UCS-2"


# --- plan validate: languages --------------------------------------------------------------


def custom_plan(tmp_path: Path) -> Path:
    """A plan whose declared SMS is its own template, written in English only."""
    (tmp_path / "en" / "sms").mkdir(parents=True, exist_ok=True)
    (tmp_path / "en" / "sms" / "short_declared.txt").write_text(
        "{{ page.name|truncate(20) }}: {{ incident.name|truncate(40) }}. Next update by "
        "{% if next_update %}{{ next_update.at }}{% endif %}."
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        (Path(__file__).parent / "plans" / "broken" / "sms_too_long" / "plan.yaml")
        .read_text()
        .replace("templates: {directory: .}", "templates: {directory: ., names: "
                 "{declared: {sms: short_declared}}}")
    )  # fmt: skip
    return plan


def test_validate_without_a_database_reports_templates_missing_in_a_shipped_language(
    tmp_path: Path,
) -> None:
    report = validate_plan(custom_plan(tmp_path))
    (missing,) = [str(i) for i in report.issues if "version" in str(i)]
    assert "warning: template sms/short_declared has no ru, zh-Hans version" in missing
    assert "recipients who read ru, zh-Hans get the en version" in missing
    assert report.plan is not None  # a warning: they still get English


def test_validate_with_a_database_names_the_languages_its_subscribers_read(
    tmp_path: Path,
) -> None:
    in_use = InUse("en", {"sms": {"en": 10, "ru": 3}, "email": {"zh-Hans": 2}})
    report = validate_plan(custom_plan(tmp_path), in_use=in_use)
    (missing,) = [str(i) for i in report.issues if "missing in languages" in str(i)]
    assert "template sms/short_declared is missing in languages the database's recipients " in (
        missing
    )
    assert "read: ru (3 subscribers); they get the en version" in missing
    assert "zh-Hans" not in missing  # nobody reads zh-Hans by SMS
    shipped = validate_plan(custom_plan(tmp_path), in_use=InUse("en", {"sms": {"ru": 3}}))
    assert shipped.sms and {r.language for r in shipped.sms} == {"en"}


def seed(db_path: Path, channel: str, language: str, count: int) -> None:
    conn = sqlite3.connect(db_path)
    now = "2026-01-01T00:00:00.000000Z"
    address = {"email": "{}@x.test", "sms": "+1415{}"}[channel]
    conn.executemany(
        "INSERT INTO subscribers (id, channel, address, state, language, created_at, updated_at)"
        " VALUES (?, ?, ?, 'active', ?, ?, ?)",
        [(i, channel, address.format(i), language, now, now)
         for i in [new_id() for _ in range(count)]],
    )  # fmt: skip
    conn.commit()
    conn.close()


def translate_update(db_path: Path, incident_id: str, language: str, text: str) -> None:
    conn = sqlite3.connect(db_path)
    ((update_id,),) = conn.execute(
        "SELECT id FROM incident_updates WHERE incident_id = ?", (incident_id,)
    )
    conn.execute(
        "INSERT INTO translations (subject, subject_id, field, language, text, updated_at)"
        " VALUES ('update', ?, 'body', ?, ?, '2026-01-01T00:00:00.000000Z')",
        (update_id, language, text),
    )
    conn.commit()
    conn.close()


def test_plan_validate_reads_the_subscribers_languages_from_the_database(
    page: RunCli, db_path: Path
) -> None:
    seed(db_path, "sms", "ru", 2)
    result = page("plan", "validate", str(DEFAULT_PLAN))
    assert result.exit_code == 0, result.output
    assert "Languages read: page en; sms subscribers: ru 2" in result.stdout
    assert "SMS TEMPLATE" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "ru/sms/declared.txt" in line)
    assert row.split()[1:6] == ["ru", "UCS-2", "61", "1", "(x1)"]
    alone = page("plan", "validate", str(DEFAULT_PLAN), "--no-database")
    assert "Languages read" not in alone.stdout


# --- preview: fallbacks, SMS encoding, tone once -------------------------------------------


def test_preview_counts_fallbacks_per_language_and_shows_ucs2(page: RunCli, db_path: Path) -> None:
    seed(db_path, "email", "ru", 3)
    seed(db_path, "email", "zh-Hans", 2)
    seed(db_path, "sms", "zh-Hans", 1)
    seed(db_path, "email", "en", 4)
    incident_id = declare(page)
    translate_update(db_path, incident_id, "ru", "Мы выясняем причину ошибок API.")
    out = page("comms", "preview", incident_id).stdout
    assert "── affected · email · ru · 3 recipients · held for approval ─" in out
    assert "── affected · email · zh-Hans · 2 recipients · held for approval · update not " in out
    assert "Fallback: the update is not translated for zh-Hans 3 recipients; they get it in " in (
        out
    )  # 2 by e-mail, 1 by SMS
    assert "Мы выясняем причину ошибок API." in out and "（原文为英文）" in out
    zh_sms = out.split("── affected · sms · zh-Hans · 1 recipient")[1]
    assert "SMS: UCS-2 (70 per segment, 67 when split)" in zh_sms
    assert "1 segment: cost x1 per recipient" in zh_sms


def test_preview_prints_each_tone_warning_once(page: RunCli, db_path: Path) -> None:
    for language in ("en", "ru", "zh-Hans"):
        seed(db_path, "email", language, 2)
        seed(db_path, "sms", language, 1)
    incident_id = declare(page, message="The API is DOWN!! lol")
    translate_update(db_path, incident_id, "ru", "Исправим через 10 минут!")
    translate_update(db_path, incident_id, "zh-Hans", "哈哈，马上恢复。")
    out = page("comms", "preview", incident_id).stdout
    tone = [line for line in out.splitlines() if line.startswith("warning: tone")]
    assert len(tone) == len(set(tone)) == 7, tone
    assert sum("(update (en))" in line for line in tone) == 3  # !, DOWN, lol
    assert sum("(update (ru))" in line for line in tone) == 2  # !, promise
    assert sum("(update (zh-Hans))" in line for line in tone) == 2  # 哈哈, 马上恢复


def test_dry_run_prints_each_tone_warning_once(page: RunCli, db_path: Path) -> None:
    seed(db_path, "email", "ru", 2)
    seed(db_path, "sms", "en", 2)
    incident_id = declare(page)
    result = page(
        "incident", "update", incident_id, "--status", "identified", "-m", "Fixed in 10 minutes!",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    tone = [line for line in result.stdout.splitlines() if line.startswith("warning: tone")]
    assert sorted(tone) == sorted(set(tone)) and len(tone) == 2, tone
    assert json.dumps(tone).count("promises when the fix lands") == 1
