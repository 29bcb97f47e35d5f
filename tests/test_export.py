"""`statuspage export DIR`: the public site as files at the same URLs."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import feedparser

from statuspage.cli.export import file_name
from tests.conftest import RunCli


def test_urls_map_to_files_that_static_hosts_serve() -> None:
    assert file_name("/") == "index.html"
    assert file_name("/incidents/abc123") == "incidents/abc123.html"
    assert file_name("/history/2026-03") == "history/2026-03.html"
    assert file_name("/api/v2/summary.json") == "api/v2/summary.json"
    assert file_name("/history.atom") == "history.atom"
    assert file_name("/.well-known/security.txt") == ".well-known/security.txt"


def test_export_writes_the_whole_site(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("component", "add", "API")
    declared = run_cli(
        "incident", "declare", "API errors", "--impact", "major", "--component", "API",
        "-m", "Looking.", "--json",
    )  # fmt: skip
    incident_id = json.loads(declared.output)["id"]
    out = tmp_path / "public"
    result = run_cli("export", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    for name in (
        "index.html", f"incidents/{incident_id}.html", "history.html", "uptime.html",
        "api/v2/summary.json", "api/v2/components.json", "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances/upcoming.json", "history.rss", "history.atom",
        "feed.json", "maintenance.ics", "robots.txt", "sitemap.xml", "404.html",
        "static/style.css", "static/page.js", "favicon.ico", "_headers",
    ):  # fmt: skip
        assert (out / name).is_file(), name
    summary = json.loads((out / "api/v2/summary.json").read_text())
    assert [i["id"] for i in summary["incidents"]] == [incident_id]
    assert feedparser.parse((out / "history.atom").read_bytes()).bozo == 0
    index = (out / "index.html").read_bytes()
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == index
    assert b"API errors" in index
    assert "Access-Control-Allow-Origin: *" in (out / "_headers").read_text()


def test_export_without_gzip_writes_no_gz_files(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("component", "add", "API")
    assert run_cli("export", str(tmp_path / "p"), "--no-gzip").exit_code == 0
    assert not list((tmp_path / "p").rglob("*.gz"))
    assert (tmp_path / "p" / "index.html").is_file()


def test_every_link_of_the_exported_pages_has_its_file(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("component", "add", "API")
    run_cli("incident", "declare", "Down", "--impact", "major", "--component", "API", "-m", "m")
    out = tmp_path / "public"
    assert run_cli("export", str(out)).exit_code == 0
    pages = list(out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        for href in re.findall(r'href="(/[^"#?]*)', page.read_text()):
            assert (out / file_name(href)).is_file(), f"{page.name} links to {href}"


def test_the_exported_headers_file_carries_the_pages_security_headers(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("export", str(tmp_path / "p")).exit_code == 0
    rules = (tmp_path / "p" / "_headers").read_text()
    site_wide = rules.split("/*\n", 1)[1].split("/static/*", 1)[0]
    assert "  X-Content-Type-Options: nosniff\n" in site_wide
    assert "  Referrer-Policy: strict-origin-when-cross-origin\n" in site_wide
    assert "  Content-Security-Policy: default-src 'self'; script-src 'self';" in site_wide
    assert "unsafe-inline" not in rules


def test_export_writes_one_tree_per_language_and_a_sitemap(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("component", "add", "API")
    declared = run_cli(
        "incident", "declare", "API errors", "--impact", "major", "--component", "API",
        "-m", "Looking.", "--json",
    )  # fmt: skip
    incident_id = json.loads(declared.output)["id"]
    out = tmp_path / "public"
    assert run_cli("export", str(out)).exit_code == 0
    titles = {"en": "History", "ru": "История", "zh-Hans": "历史记录"}
    for code, history in titles.items():
        for name in ("index.html", "history.html", f"incidents/{incident_id}.html", "404.html"):
            page = (out / code / name).read_text()
            assert f'<html lang="{code}">' in page, (code, name)
        assert f">{history}<" in (out / code / "index.html").read_text()
        assert (out / code / "history.atom").is_file() and (out / code / "feed.json").is_file()
        assert f"/{code}/*\n  Content-Language: {code}\n" in (out / "_headers").read_text()
    top = (out / "index.html").read_text()
    assert '<html lang="en">' in top  # the page's default language at the top level
    assert top == (out / "en" / "index.html").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    base = "http://127.0.0.1:8000"  # the page URL `init` sets by default
    for prefix in ("", "/en", "/ru", "/zh-Hans"):
        assert f"<loc>{base}{prefix}/incidents/{incident_id}</loc>" in sitemap
    assert f'<xhtml:link rel="alternate" hreflang="ru" href="{base}/ru/history"/>' in sitemap
    assert f"Sitemap: {base}/sitemap.xml" in (out / "robots.txt").read_text()


def test_a_switcher_link_of_the_export_leads_to_a_file(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("component", "add", "API")
    out = tmp_path / "public"
    assert run_cli("export", str(out)).exit_code == 0
    page = (out / "ru" / "history.html").read_text()
    links = re.findall(r'<a href="([^"?]+)\?lang=([^"]+)" lang=', page)
    assert [code for _, code in links] == ["en", "ru", "zh-Hans"]
    for path, _ in links:  # a static host ignores the query and serves the page
        assert (out / file_name(path)).is_file(), path
