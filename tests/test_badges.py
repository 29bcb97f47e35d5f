"""SVG badges: page status, component status, component uptime; published with ETags."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from statuspage.service import Service
from statuspage.site.documents.badges import svg, text_width
from tests.conftest import FakeClock
from tests.site_helpers import client, seed

NS = "{http://www.w3.org/2000/svg}"


def _texts(body: bytes) -> tuple[str, list[str], dict[str, str]]:
    root = ET.fromstring(body)
    title = root.findtext(f"{NS}title") or ""
    visible = [t.text or "" for t in root.iter(f"{NS}text") if "aria-hidden" not in t.attrib]
    fills = [r.attrib["fill"] for r in root.iter(f"{NS}rect") if r.attrib["fill"].startswith("#")]
    fills = [f for f in fills if f != "#fff"]
    return title, visible, {"label": fills[0], "message": fills[1], "width": root.attrib["width"]}


def test_a_badge_is_valid_svg_sized_to_its_text_and_escaped() -> None:
    short, wide = svg("a", "b", "#4c1"), svg("a" * 30, "<b>&", "#4c1")
    assert int(ET.fromstring(wide).attrib["width"]) > int(ET.fromstring(short).attrib["width"])
    title, texts, _ = _texts(wide.encode())
    assert texts == ["a" * 30, "<b>&"] and title == "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: <b>&"
    assert "<b>&" not in wide  # escaped in the markup
    assert text_width("接口") > text_width("ab")


async def _seed(svc: Service, clock: FakeClock) -> dict[str, str]:
    api = await svc.add_component("API")
    web = await svc.add_component("Web")
    clock.advance(days=40)
    await svc.declare_incident("API down", message="Looking.", impact="critical",
                               components=[("API", "major_outage")])  # fmt: skip
    clock.advance(hours=12)
    return {"api": api.id, "web": web.id}


def test_badges_follow_the_page_and_revalidate_with_etags(db_path: Path, clock: FakeClock) -> None:
    ids = seed(db_path, clock, lambda svc: _seed(svc, clock))
    with client(db_path, clock) as http:
        page = http.get("/badges/status.svg")
        assert page.status_code == 200
        assert page.headers["content-type"] == "image/svg+xml; charset=utf-8"
        assert page.headers["content-security-policy"] == "default-src 'none'"
        assert page.headers["access-control-allow-origin"] == "*"
        title, texts, fills = _texts(page.content)
        assert title == "status: major outage"
        assert texts == ["status", "major outage"] and fills["message"] == "#e05d44"
        again = http.get("/badges/status.svg", headers={"if-none-match": page.headers["etag"]})
        assert again.status_code == 304

        api = _texts(http.get(f"/badges/components/{ids['api']}.svg").content)
        assert api[1] == ["API", "major outage"]
        web = _texts(http.get(f"/badges/components/{ids['web']}.svg").content)
        assert web[1] == ["Web", "operational"] and web[2]["message"] == "#4c1"

        # Now is 02:00 in Berlin, the outage began 12 h ago. The last 30 days (today so far
        # included, one of them 23 h long: summer time began) were observed 697 h, 12 h of
        # them down: 98.27 %. Over 90 days the component existed 972 h: 98.76 %.
        month = _texts(http.get(f"/badges/components/{ids['api']}/uptime-30d.svg").content)
        quarter = _texts(http.get(f"/badges/components/{ids['api']}/uptime-90d.svg").content)
        assert month[1][0] == "uptime 30d" and quarter[1][0] == "uptime 90d"
        assert month[1][1] == "98.27%" and month[2]["message"] == "#a4a61d"
        assert quarter[1][1] == "98.76%"
        web_month = _texts(http.get(f"/badges/components/{ids['web']}/uptime-30d.svg").content)
        assert web_month[1][1] == "100.00%"
        assert http.get("/badges/components/nope.svg").status_code == 404
