"""Object keys, upload order and the refusal of a mirror the server cannot reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from statuspage.app import create_app
from statuspage.config import Settings
from statuspage.errors import InvalidInput
from statuspage.mirror.plan import (
    ASSET,
    DOCUMENT,
    INDEX,
    PAGE,
    ROOT,
    Known,
    object_key,
    tier,
    url_path,
)
from statuspage.mirror.plan import changes as plan_changes
from tests.conftest import RunCli


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", "index.html"),
        ("/history", "history"),
        ("/history/2026-03", "history/2026-03"),
        ("/api/v2/summary.json", "api/v2/summary.json"),
        ("/ru/", "ru/index.html"),
        ("/zh-Hans/incidents/abc", "zh-Hans/incidents/abc"),
    ],
)
def test_keys_are_the_url_paths_and_a_trailing_slash_is_the_index_document(
    path: str, key: str
) -> None:
    assert object_key(path) == key
    assert url_path(key) == path


def test_the_order_is_assets_documents_pages_then_the_index() -> None:
    html = "text/html; charset=utf-8"
    assert tier("static/style.css", "text/css") == ASSET
    assert tier("favicon.ico", "image/x-icon") == ASSET
    assert tier("api/v2/summary.json", "application/json") == DOCUMENT
    assert tier("history", html) == PAGE
    assert tier("ru/history", html) == PAGE
    assert tier("ru/index.html", html) == tier("ru", html) == tier("en/index.html", html) == INDEX
    assert tier("index.html", html) == ROOT  # the root home after every language's


def test_only_changed_or_new_objects_are_uploaded_and_only_ours_deleted() -> None:
    from statuspage.mirror.plan import Item

    def obj(key: str, fp: str) -> Item:
        return Item(key, url_path(key), b"", {}, fp, tier(key, "text/html"))

    wanted = {"index.html": obj("index.html", "new"), "history": obj("history", "same"),
              "uptime": obj("uptime", "added")}  # fmt: skip
    known = {"index.html": Known("old", "e1"), "history": Known("same", "e2"),
             "incidents/gone": Known("x", "e3")}  # fmt: skip
    todo = plan_changes(wanted, known)
    assert [i.key for i in todo.uploads] == ["uptime", "index.html"]
    assert todo.deletes == ("incidents/gone",)


def test_a_server_whose_mirror_has_no_keys_refuses_to_start(
    run_cli: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("component", "add", "API")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    app = create_app(Settings(db=db_path, mirror="s3://status/site"))
    with pytest.raises(InvalidInput, match="needs AWS_ACCESS_KEY_ID"), TestClient(app):
        pass
