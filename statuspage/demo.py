"""A realistic demo page: 16 components in 4 groups, 90 days of history, one open incident.

Built through the use cases with a movable clock, so its history (status changes,
updates, maintenance ticks) is exactly what real use would have recorded. Names and the open
incident are translated into Russian and Chinese; `DEMO_ENV` is what `make demo` serves it
with (a security contact, and subscriptions by e-mail and webhook).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from statuspage.model import MaintenanceStatus, TranslationSubject
from statuspage.service import Service

# The settings `make demo` serves the demo with: security.txt and subscriptions need them.
# The key and webhook secret are for a local demo only; e-mail goes to a local relay on
# port 1025 (e.g. `python -m aiosmtpd -n`), and waits, queued, while none runs.
DEMO_ENV = {
    "STATUSPAGE_SECRET_KEY": "demo-only-secret-key-never-use-in-production-0123456789",
    "STATUSPAGE_CONTACT_EMAIL": "support@acme.example",
    "STATUSPAGE_SECURITY_CONTACT": "mailto:security@acme.example",
    "STATUSPAGE_SMTP_HOST": "localhost",
    "STATUSPAGE_SMTP_PORT": "1025",
    "STATUSPAGE_SMTP_SECURITY": "none",
    "STATUSPAGE_SMTP_FROM": "status@acme.example",
    "STATUSPAGE_WEBHOOK_SECRET": "whsec_ZGVtby1vbmx5LXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3",
    "STATUSPAGE_SUBSCRIBE_CHANNELS": "email,webhook",
}

GROUPS = {
    "Core Platform": ["API", "Web Dashboard", "Authentication", "Webhooks"],
    "Data": ["Primary Database", "Object Storage", "Search", "Analytics Pipeline"],
    "Payments": ["Card Processing", "Invoicing", "Payouts"],
    "Regions": ["US-East", "EU-West", "Asia-Pacific"],
}
UNGROUPED = ["CDN", "Support Portal"]
DESCRIPTIONS = {
    "API": "REST and GraphQL API at api.acme.example",
    "Web Dashboard": "app.acme.example",
    "Authentication": "Sign-in, SSO and API tokens",
    "Search": "Full-text search across projects",
    "Card Processing": "Card payments at checkout",
    "CDN": "Static assets and downloads",
}
NEW_COMPONENTS = {"Search": 40}  # days ago; older days show "no data"


@dataclass(frozen=True)
class Past:
    """A resolved incident: when it began, its steps as (minutes after start, status, text)."""

    title: str
    impact: str
    days_ago: int
    start: str
    components: tuple[str, ...]
    steps: tuple[tuple[int, str, str], ...]
    postmortem: str | None = None


HISTORY = (
    Past(
        "Elevated API error rates",
        "major",
        84,
        "14:12",
        ("API=partial_outage",),
        (
            (
                0,
                "investigating",
                "We are investigating elevated error rates on the API. Some requests "
                "fail with HTTP 503. We will post an update within 30 minutes.",
            ),
            (
                38,
                "identified",
                "A configuration change to our load balancers caused the errors. We "
                "are rolling it back. Next update within 30 minutes.",
            ),
            (
                71,
                "monitoring",
                "The rollback is complete and error rates are back to normal. We are "
                "monitoring closely.",
            ),
            (
                125,
                "resolved",
                "This incident has been resolved. API error rates have been normal "
                "for over 50 minutes.",
            ),
        ),
    ),
    Past(
        "Card payments failing for some customers",
        "critical",
        71,
        "09:40",
        ("Card Processing=major_outage", "Invoicing=degraded_performance"),
        (
            (
                0,
                "investigating",
                "Card payments are failing for a number of customers. We are "
                "investigating with our payment processor. Next update in 20 minutes.",
            ),
            (
                22,
                "identified",
                "Our payment processor confirmed an outage on their side. Retrying "
                "a failed payment later will succeed; no card was charged twice.",
            ),
            (
                48,
                "resolved",
                "Card payments are working again. Payments that failed can be retried now.",
            ),
        ),
        postmortem="## What happened\n\nOur payment processor's tokenisation service failed for "
        "48 minutes.\n\n## What we are changing\n\n- A second processor for automatic failover.\n"
        "- Alerts on payment error rates within 2 minutes instead of 10.",
    ),
    Past(
        "Slow dashboard loading",
        "minor",
        60,
        "16:05",
        ("Web Dashboard",),
        (
            (
                0,
                "investigating",
                "Some pages of the dashboard load slowly. We are looking into it.",
            ),
            (
                95,
                "monitoring",
                "We added capacity to the dashboard's cache. Pages load normally "
                "again; we are monitoring.",
            ),
            (180, "resolved", "This incident has been resolved."),
        ),
    ),
    Past(
        "Search indexing delays",
        "minor",
        45,
        "23:10",
        ("Search",),
        (
            (
                0,
                "investigating",
                "New documents take longer than usual to appear in search "
                "results. Existing results are not affected.",
            ),
            (
                120,
                "identified",
                "An indexing worker was stuck on a very large document. We are "
                "restarting the workers and clearing the backlog.",
            ),
            (210, "resolved", "The backlog is cleared; new documents appear within seconds again."),
        ),
    ),
    Past(
        "Login failures",
        "critical",
        33,
        "07:52",
        ("Authentication=major_outage", "Web Dashboard=partial_outage"),
        (
            (
                0,
                "investigating",
                "Users cannot sign in. Existing sessions and API tokens keep "
                "working. Next update within 15 minutes.",
            ),
            (
                14,
                "identified",
                "An expired certificate on our identity provider's endpoint causes "
                "the failures. We are deploying a new certificate.",
            ),
            (35, "resolved", "Sign-in works again. If you still see an error, reload the page."),
        ),
    ),
    Past(
        "Elevated latency in EU-West",
        "major",
        20,
        "11:30",
        ("EU-West=partial_outage",),
        (
            (0, "investigating", "Requests served from EU-West are slower than usual."),
            (
                40,
                "identified",
                "A network provider has a degraded link. We are routing traffic around it.",
            ),
            (90, "resolved", "Latency in EU-West is back to normal."),
        ),
    ),
    Past(
        "Webhook delivery delays",
        "minor",
        12,
        "19:20",
        ("Webhooks",),
        (
            (
                0,
                "investigating",
                "Webhooks are delivered with delays of up to 20 minutes. No "
                "webhook is lost; all will be delivered.",
            ),
            (150, "monitoring", "The delivery queue is draining; delays are under 2 minutes."),
            (240, "resolved", "Webhook delivery is back to normal."),
        ),
    ),
    Past(
        "Object storage upload errors",
        "major",
        5,
        "13:45",
        ("Object Storage=partial_outage",),
        (
            (0, "investigating", "Some file uploads fail with an error. Downloads work normally."),
            (30, "identified", "A storage node ran out of disk space. We are moving data off it."),
            (55, "resolved", "Uploads work normally again. Please retry any upload that failed."),
        ),
    ),
)


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


async def load_demo(svc: Service) -> str:
    """Fill an empty page with demo data; say what was done."""
    if await svc.list_components():
        return "Demo data not loaded: the database already has components."
    page = await svc.page()
    now, tz = svc.now(), ZoneInfo(page.time_zone)
    clock = MovableClock(now - timedelta(days=120))
    # The demo's past is history: severities follow the plan, but nobody is messaged about it.
    demo = Service(svc.store, clock, comms=svc.comms)
    demo.sinks.clear()
    await _add_components(demo, clock, now)
    for past in HISTORY:
        await _replay(demo, clock, past, _local(now, tz, past.days_ago, past.start))
    await _maintenance(demo, clock, now, tz)
    await _open_incident(demo, clock, now)
    await _translate_names(demo)
    await svc.set_page_branding(logo=LOGO, accent="#0b5fff")
    count = sum(map(len, GROUPS.values())) + len(UNGROUPED)
    return f"Demo data loaded: {count} components in {len(GROUPS)} groups, 90 days of history."


def _local(now: datetime, tz: ZoneInfo, days_ago: int, hhmm: str) -> datetime:
    day = (now.astimezone(tz) - timedelta(days=days_ago)).date()
    return datetime.combine(day, time.fromisoformat(hhmm), tz)


async def _add_components(svc: Service, clock: MovableClock, now: datetime) -> None:
    for group_name, names in GROUPS.items():
        await svc.add_group(group_name)
        for name in names:
            if name in NEW_COMPONENTS:
                continue
            await svc.add_component(name, group=group_name, description=DESCRIPTIONS.get(name))
    for name in UNGROUPED:
        await svc.add_component(name, description=DESCRIPTIONS.get(name))
    for name, days in NEW_COMPONENTS.items():
        clock.current = now - timedelta(days=days)
        group_name = next(g for g, members in GROUPS.items() if name in members)
        await svc.add_component(name, group=group_name, description=DESCRIPTIONS.get(name))


async def _replay(svc: Service, clock: MovableClock, past: Past, start: datetime) -> None:
    specs = [(c.partition("=")[0], c.partition("=")[2] or None) for c in past.components]
    (first, *rest) = past.steps
    clock.current = start
    incident = await svc.declare_incident(
        past.title, message=first[2], impact=past.impact, components=specs, status=first[1]
    )
    for minutes, status, text in rest:
        clock.current = start + timedelta(minutes=minutes)
        if status == "resolved":
            await svc.resolve_incident(incident.id, message=text)
        else:
            await svc.update_incident(incident.id, message=text, status=status)
    if past.postmortem:
        clock.current += timedelta(days=2)
        await svc.set_postmortem(incident.id, past.postmortem, publish=True)


async def _maintenance(svc: Service, clock: MovableClock, now: datetime, tz: ZoneInfo) -> None:
    start = _local(now, tz, 9, "02:00")
    clock.current = start - timedelta(days=5)
    done = await svc.schedule_maintenance(
        "Primary database upgrade",
        start=start,
        end=start + timedelta(minutes=90),
        components=["Primary Database", "API"],
        message="We are upgrading our primary database to a new major version. Writes may be "
        "delayed by up to a minute during the window; reads are not affected.",
    )
    for offset in (timedelta(0), timedelta(minutes=90)):
        clock.current = start + offset
        await svc.tick()
    assert (await svc.get_incident(done.id)).status == MaintenanceStatus.COMPLETED
    clock.current = now - timedelta(days=1)
    upcoming = _local(now, tz, -3, "03:00")
    await svc.schedule_maintenance(
        "CDN certificate rotation",
        start=upcoming,
        end=upcoming + timedelta(hours=1),
        components=["CDN"],
        message="We will rotate the TLS certificates of our CDN. A small number of downloads "
        "may need a retry during the window.",
    )


async def _open_incident(svc: Service, clock: MovableClock, now: datetime) -> None:
    clock.current = now - timedelta(minutes=52)
    incident = await svc.declare_incident(
        "Increased API latency in US-East",
        impact="major",
        components=[("API", "degraded_performance"), ("US-East", "partial_outage")],
        message="We are investigating increased latency for API requests served from US-East. "
        "Some requests time out. Next update within 30 minutes.",
        translations=OPEN_UPDATES[0],
        title_translations=OPEN_TITLE,
    )
    clock.current = now - timedelta(minutes=31)
    await svc.update_incident(
        incident.id,
        status="identified",
        message="A database replica in US-East is overloaded. We are moving read traffic to "
        "healthy replicas. Next update within 30 minutes.",
        translations=OPEN_UPDATES[1],
    )
    clock.current = now - timedelta(minutes=9)
    await svc.update_incident(
        incident.id,
        status="monitoring",
        components=[("US-East", "degraded_performance")],
        message="Latency is improving as traffic moves. Some requests are still slower than "
        "usual. We are monitoring and will update within 30 minutes.",
        translations=OPEN_UPDATES[2],
    )


# Acme's logo: a plain SVG (no scripts), as `page set --logo` takes it.
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">'
    b'<rect width="32" height="32" rx="7" fill="#0b5fff"/>'
    b'<path d="M9 24l7-16 7 16M12 18h8" fill="none" stroke="#ffffff" stroke-width="3"'
    b' stroke-linecap="round" stroke-linejoin="round"/></svg>'
)

# Group and component names in Russian and Chinese (the page's language is English).
NAMES = {
    "Core Platform": ("Основная платформа", "核心平台"),
    "Data": ("Данные", "数据"),
    "Payments": ("Платежи", "支付"),
    "Regions": ("Регионы", "区域"),
    "API": ("API", "API"),
    "Web Dashboard": ("Веб-панель", "网页控制台"),
    "Authentication": ("Аутентификация", "身份验证"),
    "Webhooks": ("Вебхуки", "Webhook"),
    "Primary Database": ("Основная база данных", "主数据库"),
    "Object Storage": ("Объектное хранилище", "对象存储"),
    "Search": ("Поиск", "搜索"),
    "Analytics Pipeline": ("Аналитический конвейер", "分析管道"),
    "Card Processing": ("Приём платежей по картам", "银行卡支付"),
    "Invoicing": ("Выставление счетов", "开具发票"),
    "Payouts": ("Выплаты", "付款"),
    "US-East": ("США, восток", "美国东部"),
    "EU-West": ("ЕС, запад", "欧盟西部"),
    "Asia-Pacific": ("Азиатско-Тихоокеанский регион", "亚太地区"),
    "CDN": ("CDN", "CDN"),
    "Support Portal": ("Портал поддержки", "支持门户"),
}
OPEN_TITLE = {
    "ru": "Увеличенные задержки API в регионе US-East",
    "zh-Hans": "US-East 区域 API 延迟升高",
}
OPEN_UPDATES = (
    {
        "ru": "Мы выясняем причину увеличенных задержек запросов к API в регионе US-East. "
        "Часть запросов завершается по тайм-ауту. Следующее обновление — в течение 30 минут.",
        "zh-Hans": "我们正在调查 US-East 区域 API 请求延迟升高的问题，部分请求超时。"
        "我们将在 30 分钟内发布下一次更新。",
    },
    {
        "ru": "Одна из реплик базы данных в US-East перегружена. Мы переводим чтение на исправные "
        "реплики. Следующее обновление — в течение 30 минут.",
        "zh-Hans": "US-East 区域的一个数据库副本负载过高。我们正在将读取流量转移到正常的副本。"
        "我们将在 30 分钟内发布下一次更新。",
    },
    {
        "ru": "По мере переноса трафика задержки снижаются. Часть запросов всё ещё выполняется "
        "медленнее обычного. Мы наблюдаем за ситуацией и сообщим новости в течение 30 минут.",
        "zh-Hans": "随着流量转移，延迟正在改善，但部分请求仍比平时慢。我们正在持续监控，"
        "并将在 30 分钟内发布更新。",
    },
)


async def _translate_names(svc: Service) -> None:
    groups = {g.name for g in await svc.list_groups()}
    for name, (ru, zh) in NAMES.items():
        subject = TranslationSubject.GROUP if name in groups else TranslationSubject.COMPONENT
        for language, text in (("ru", ru), ("zh-Hans", zh)):
            await svc.translate(subject, name, language, {"name": text})
