"""`statuspage init --demo`: a realistic page that gives every view something to show."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings, load_settings
from statuspage.demo import DEMO_ENV, load_demo
from statuspage.model import Kind
from statuspage.service import Service
from statuspage.site.builder import SiteBuilder
from statuspage.site.snapshot import SnapshotReader
from statuspage.storage import Store
from tests.conftest import FakeClock
from tests.site_helpers import seed


async def test_demo_data_is_realistic(svc: Service) -> None:
    note = await load_demo(svc)
    assert "Demo data loaded" in note
    components, groups = await svc.list_components(), await svc.list_groups()
    assert len(components) >= 12 and len(groups) >= 3
    assert Counter(c.group_id for c in components if c.group_id).most_common()[-1][1] >= 3
    incidents = await svc.list_incidents(kind=Kind.INCIDENT)
    now = svc.now()
    past = [i for i in incidents if not i.is_open]
    assert len(past) >= 5
    assert {i.impact.value for i in past} >= {"minor", "major", "critical"}
    assert all(now - i.started_at < timedelta(days=90) for i in past)
    open_ = [i for i in incidents if i.is_open]
    assert len(open_) == 1 and len(open_[0].updates) == 3
    maintenance = await svc.list_incidents(kind=Kind.MAINTENANCE)
    assert sorted(m.status for m in maintenance) == ["completed", "scheduled"]
    upcoming = next(m for m in maintenance if m.status == "scheduled")
    assert upcoming.scheduled_for is not None and upcoming.scheduled_for > now


async def test_demo_history_is_recorded_as_status_changes(svc: Service) -> None:
    await load_demo(svc)
    async with svc.store.read() as q:
        changes = await q.list_status_changes(since=svc.now() - timedelta(days=90))
    causes = Counter(c.cause.value for c in changes)
    assert causes["incident"] >= 16 and causes["maintenance"] >= 4


async def test_demo_is_not_loaded_twice(svc: Service) -> None:
    await load_demo(svc)
    count = len(await svc.list_components())
    assert "not loaded" in await load_demo(svc)
    assert len(await svc.list_components()) == count


def test_the_demo_shows_security_txt_subscriptions_and_the_languages(
    db_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, load_demo)
    settings = load_settings({**DEMO_ENV, "STATUSPAGE_DB": str(db_path)})
    with TestClient(create_app(settings, clock=clock)) as c:
        security = c.get("/.well-known/security.txt")
        assert security.status_code == 200
        assert "Contact: mailto:security@acme.example" in security.text
        home = c.get("/").text
        assert '<a class="button subscribe" href="/subscribe?lang=en">' in home
        logo = re.search(r'<img class="logo" src="(/static/logo-[0-9a-f]{16}\.svg)"', home)
        assert logo is not None and c.get(logo.group(1)).headers["content-type"] == "image/svg+xml"
        assert re.search(r'<link rel="stylesheet" href="/static/accent-[0-9a-f]{16}\.css">', home)
        form = c.get("/subscribe").text
        assert 'name="channel" value="email"' in form
        assert "(e-mail, webhook)" in home
        ru = render_language(db_path, clock, "ru")
        assert "Основная платформа" in ru and "Увеличенные задержки API" in ru
        assert "Some names are shown in the original language" not in ru
        zh = render_language(db_path, clock, "zh-Hans")
        assert "核心平台" in zh and "US-East 区域 API 延迟升高" in zh


def test_make_demo_serves_with_the_demo_settings() -> None:
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    target = makefile[makefile.index("\ndemo:") : makefile.index("\ntest:")]
    assert "statuspage.demo" in target and "DEMO_ENV" in target and "serve" in target


def render_language(db_path: Path, clock: FakeClock, language: str) -> str:
    async def go() -> str:
        store = await Store.open(db_path)
        try:
            snap = await SnapshotReader(store, clock).read()
        finally:
            await store.close()
        site = SiteBuilder(Settings(), locale=language).build(snap)
        found = site.get("/")
        assert found is not None
        return found.body.decode()

    return asyncio.run(go())
