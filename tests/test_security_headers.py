"""Security headers on every kind of response: published artifacts (precomputed, the same on
the fast path), and every answer made per request (forms, admin API, errors, redirects)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.site.fast_path import PublishedFirstProtocol
from tests.conftest import RunCli
from tests.test_published_http import CountingApp, ServerThread, fetch

PUBLIC = "strict-origin-when-cross-origin"


@pytest.fixture
def settings(run_cli: RunCli, db_path: Path) -> Settings:
    result = run_cli("init", "--demo", init=False)
    assert result.exit_code == 0, result.output
    return Settings(db=db_path, poll_interval=0.1, dispatcher=False, comms_plan="off")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app with /subscribe offering e-mail (the default comms plan, an SMTP host set)."""
    offering = settings.replace(
        comms_plan="",
        secret_key=secrets.token_urlsafe(32),
        smtp_host="127.0.0.1",
        smtp_from="Status <status@example.com>",
    )
    with TestClient(create_app(offering), follow_redirects=False) as running:
        yield running


def csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


def assert_everywhere(response: httpx.Response, referrer: str) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == referrer


def assert_not_framed(response: httpx.Response) -> None:
    assert response.headers["x-frame-options"] == "DENY"
    assert csp(response)["frame-ancestors"] == "'none'"
    assert response.headers["referrer-policy"] == "no-referrer"  # tokens stay in the URL


def test_published_pages_carry_a_policy_without_inline_script(client: TestClient) -> None:
    for path in ("/", "/history", "/uptime"):
        page = client.get(path)
        assert page.status_code == 200
        assert_everywhere(page, PUBLIC)
        policy = csp(page)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert "unsafe-inline" not in page.headers["content-security-policy"]
        assert "x-frame-options" not in page.headers  # the public page may be framed


def test_the_json_api_keeps_cors_for_the_status_widget(client: TestClient) -> None:
    for path in ("/api/v2/summary.json", "/api/v2/no-such.json"):
        answer = client.get(path, headers={"Origin": "https://www.example.com"})
        assert answer.headers["access-control-allow-origin"] == "*"
        assert_everywhere(answer, PUBLIC)
        assert "x-frame-options" not in answer.headers
        assert "content-security-policy" not in answer.headers


def test_feeds_errors_and_redirects_carry_them(client: TestClient) -> None:
    assert_everywhere(client.get("/history.atom"), PUBLIC)
    assert_everywhere(client.get("/static/page.js"), PUBLIC)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert_everywhere(missing, PUBLIC)
    assert csp(missing)["script-src"] == "'self'"
    read_only = client.post("/")
    assert read_only.status_code == 405
    assert_everywhere(read_only, PUBLIC)
    moved = client.get("/history/")
    assert moved.status_code == 301
    assert_everywhere(moved, PUBLIC)


def test_forms_admin_api_and_hooks_may_not_be_framed(client: TestClient) -> None:
    form = client.get("/subscribe")
    assert form.status_code == 200 and "<form" in form.text
    assert_not_framed(form)
    assert csp(form)["script-src"] == "'self'"
    assert_not_framed(client.get("/subscriptions/manage", params={"token": "not-a-token"}))
    assert_not_framed(client.get("/subscriptions/unsubscribe", params={"token": "x"}))
    api = client.get("/v1/pages/any/components")
    assert api.status_code == 401
    assert_not_framed(api)
    assert api.headers["x-content-type-options"] == "nosniff"
    assert csp(api)["default-src"] == "'none'"
    assert_not_framed(client.get("/v1/no-such-endpoint"))
    assert_not_framed(client.post("/hooks/twilio/status", data={"a": "b"}))


def test_pages_hold_no_inline_script_or_style_the_policy_would_block(
    client: TestClient,
) -> None:
    site = client.app.state.published.site  # type: ignore[attr-defined]
    pages = [
        p for p, a in site.artifacts.items() if a.identity.headers[0][1].startswith(b"text/html")
    ]
    assert len(pages) > 5
    bodies = [(p, client.get(p).text) for p in pages] + [
        ("/subscribe", client.get("/subscribe").text)
    ]
    for path, html in bodies:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", html, re.I), path


def test_the_fast_path_sends_the_same_headers(settings: Settings) -> None:
    app = CountingApp(create_app(settings))
    with ServerThread(app, http=PublishedFirstProtocol) as server:
        page = fetch(server.port, "/", "GET", "Accept-Encoding: gzip")
        api = fetch(server.port, "/api/v2/summary.json")
    assert app.requests == []  # both answered by the protocol itself
    assert page.header("x-content-type-options") == "nosniff"
    assert page.header("referrer-policy") == PUBLIC
    assert "default-src 'self'" in (page.header("content-security-policy") or "")
    assert api.header("access-control-allow-origin") == "*"
    assert api.header("x-content-type-options") == "nosniff"
