"""The page's logo and accent colour: checked before storing, published at content-hash URLs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from statuspage.branding import DARK_BG, LIGHT_BG, MAX_LOGO, check_accent, dark_accent
from statuspage.colours import contrast
from statuspage.errors import InvalidField
from statuspage.resources import STATIC
from statuspage.service import Service
from tests.conftest import FakeClock, RunCli, dump
from tests.site_helpers import client, seed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)
BAD_LOGOS = {
    "gif": b"GIF89a" + bytes(32),
    "too big": PNG + bytes(MAX_LOGO),
    "empty": b"",
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "external": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.test/a.png"/></svg>',
    "entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>',
}


def test_an_accent_is_normalised_and_one_failing_aa_on_the_page_is_refused() -> None:
    assert check_accent("#0b5fff") == "#0b5fff"
    assert check_accent("#05A") == "#0055aa"
    with pytest.raises(InvalidField) as refused:
        check_accent("#ffcc00")
    message = str(refused.value)
    assert "1.4:1" in message and "4.5:1" in message and "darker shade" in message
    suggested = re.search(r"e\.g\. (#[0-9a-f]{6})", message)
    assert suggested is not None and contrast(suggested.group(1), LIGHT_BG) >= 4.5
    for bad in ("blue", "#12345", "0b5fff", "#ggg"):
        with pytest.raises(InvalidField):
            check_accent(bad)


@pytest.mark.parametrize("accent", ["#0b5fff", "#1a7f37", "#6f42c1", "#000000"])
def test_the_dark_theme_gets_a_shade_of_the_accent_meeting_aa(accent: str) -> None:
    assert contrast(dark_accent(accent), DARK_BG) >= 4.5


def test_the_accent_is_checked_against_the_backgrounds_links_sit_on_in_style_css() -> None:
    css = (STATIC / "style.css").read_text()
    light, dark = re.findall(r"--bg-soft: (#[0-9a-f]{6})", css)
    assert (light, dark) == (LIGHT_BG, DARK_BG)
    # The footer (--bg-soft) is the harder background of the two in both themes.
    page_light, page_dark = re.findall(r"--bg: (#[0-9a-f]{6})", css)
    for accent in ("#0b5fff", "#6f42c1"):
        assert contrast(accent, page_light) >= contrast(accent, LIGHT_BG)
        shade = dark_accent(accent)
        assert contrast(shade, page_dark) >= contrast(shade, DARK_BG)


def test_a_logo_and_accent_are_published_and_shown(db_path: Path, clock: FakeClock) -> None:
    async def go(svc: Service) -> None:
        await svc.set_page_branding(logo=SVG, accent="#0b5fff")

    seed(db_path, clock, go)
    digest = hashlib.sha256(SVG).hexdigest()
    with client(db_path, clock) as c:
        home = c.get("/").text
        logo = re.search(r'<img class="logo" src="([^"]+)" alt="" height="32">Acme</a>', home)
        assert logo is not None and logo.group(1) == f"/static/logo-{digest[:16]}.svg"
        served = c.get(logo.group(1))
        assert served.status_code == 200 and served.content == SVG
        assert served.headers["content-type"] == "image/svg+xml"
        assert "immutable" in served.headers["cache-control"]
        assert served.headers["content-security-policy"] == "default-src 'none'"
        sheet = re.search(
            r'<link rel="stylesheet" href="(/static/accent-[0-9a-f]{16}\.css)">', home
        )
        assert sheet is not None
        css = c.get(sheet.group(1))
        assert css.headers["content-type"].startswith("text/css")
        light, dark = re.findall(r"--link: (#[0-9a-f]{6})", css.text)
        assert light == "#0b5fff" and contrast(light, LIGHT_BG) >= 4.5
        assert contrast(dark, DARK_BG) >= 4.5
        on_accent = re.findall(r"--on-accent: (#[0-9a-f]{6})", css.text)
        assert contrast(light, on_accent[0]) >= 4.5 and contrast(dark, on_accent[1]) >= 4.5


@pytest.mark.parametrize("kind", sorted(BAD_LOGOS))
def test_a_bad_logo_is_refused_and_nothing_is_stored(
    kind: str, db_path: Path, clock: FakeClock
) -> None:
    seed(db_path, clock, lambda svc: svc.page())
    before = dump(db_path)

    async def go(svc: Service) -> None:
        with pytest.raises(InvalidField) as refused:
            await svc.set_page_branding(logo=BAD_LOGOS[kind], accent="#0b5fff")
        assert refused.value.field == "logo"

    seed(db_path, clock, go)
    assert dump(db_path) == before


def test_page_set_takes_a_logo_file_and_an_accent(run_cli: RunCli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    result = run_cli("page", "set", "--logo", str(logo), "--accent", "#0B5FFF")
    assert result.exit_code == 0, result.output
    assert "Branding: logo image/png, accent #0b5fff." in result.output
    result = run_cli("page", "set", "--no-logo", "--accent", "")
    assert "Branding: no logo, accent default." in result.output


def test_page_set_refuses_a_pale_accent_or_a_bad_logo_and_changes_nothing(
    run_cli: RunCli, tmp_path: Path, db_path: Path
) -> None:
    run_cli("page", "show")
    before = dump(db_path)
    result = run_cli("page", "set", "--accent", "#ffcc00", "--name", "New name")
    assert result.exit_code == 2 and "contrast of 1.4:1" in result.output
    bad = tmp_path / "logo.gif"
    bad.write_bytes(BAD_LOGOS["gif"])
    result = run_cli("page", "set", "--logo", str(bad), "--name", "New name")
    assert result.exit_code == 2 and "PNG, JPEG, WebP or SVG" in result.output
    assert dump(db_path) == before
