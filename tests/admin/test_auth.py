"""Admin API keys: hashing, schemes, revocation, scopes, rate limits, and keys kept out of logs."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from statuspage.admin.auth import RateLimiter
from statuspage.errors import RateLimited
from statuspage.keys import Scope, generate_key, key_id_of, matches
from tests.admin.conftest import Api, make_api
from tests.conftest import FakeClock, RunCli, dump


def test_a_key_is_shown_once_and_only_its_hash_is_stored(run_cli: RunCli, db_path: Path) -> None:
    created = run_cli("token", "create", "deploy-bot", "--scope", "read")
    assert created.exit_code == 0, created.output
    key = created.output.splitlines()[1]
    assert key.startswith("sp_") and len(key) > 50
    stored = "\n".join(dump(db_path))
    assert key not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    listing = run_cli("token", "list", "--json")
    assert key not in listing.output
    assert json.loads(listing.output)[0]["scope"] == "read"


def test_generated_keys_are_random_and_checked_in_constant_time() -> None:
    (id1, key1), (_, key2) = generate_key(), generate_key()
    assert key1 != key2 and key_id_of(key1) == id1
    assert key_id_of("sp_short_x") is None and key_id_of(key1 + "x") is None
    assert matches(key1, hashlib.sha256(key1.encode()).hexdigest())
    assert not matches(key2, hashlib.sha256(key1.encode()).hexdigest())


def test_scopes_are_ordered_read_write_admin() -> None:
    assert Scope.ADMIN.allows(Scope.WRITE) and Scope.WRITE.allows(Scope.READ)
    assert not Scope.READ.allows(Scope.WRITE) and not Scope.WRITE.allows(Scope.ADMIN)


@pytest.mark.parametrize("scheme", ["OAuth", "Bearer", "oauth"])
def test_a_key_is_accepted_with_the_oauth_or_bearer_scheme(api: Api, scheme: str) -> None:
    headers = {"Authorization": f"{scheme} {api.seeded.keys['read']}"}
    response = api.client.get(api.url(), headers=headers)
    assert response.status_code == 200 and response.json()["name"] == "Acme"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing Authorization header"),
        ("Basic dXNlcjpwYXNz", "malformed Authorization header"),
        ("OAuth sp_aaaaaaaaaaaa_" + "A" * 43, "invalid API key"),
        ("OAuth not-a-key", "invalid API key"),
    ],
)
def test_a_missing_or_wrong_key_gets_401_with_a_json_error(
    api: Api, header: str | None, message: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.client.get(api.url("/components"), headers=headers)
    assert response.status_code == 401
    assert message in response.json()["error"]
    assert response.headers["www-authenticate"] == 'OAuth realm="statuspage"'


def test_a_revoked_key_stops_working_at_once(api: Api, run_cli: RunCli) -> None:
    assert api.request("GET", "", scope="write").status_code == 200
    revoked = run_cli("token", "revoke", "write-bot")
    assert revoked.exit_code == 0 and "Revoked key write-bot" in revoked.output
    response = api.request("GET", "", scope="write")
    assert response.status_code == 401 and response.json() == {
        "error": "this API key has been revoked"
    }
    again = run_cli("token", "revoke", "write-bot")
    assert again.exit_code == 2 and "no active key named 'write-bot'" in again.stderr
    listing = run_cli("token", "list").output.splitlines()
    write_row = next(line for line in listing if line.startswith("write-bot"))
    name, scope, *_ = write_row.split()
    assert (name, scope) == ("write-bot", "write")
    assert "(testclient)" in write_row  # last used from the test client's address
    assert write_row.count(" - ") == 0  # created, last used and revoked all shown


def test_each_scope_allows_only_its_requests(api: Api) -> None:
    body = {"component": {"name": "Search"}}
    assert api.request("GET", "/components", scope="read").status_code == 200
    denied = api.request("POST", "/components", scope="read", json=body)
    assert denied.status_code == 403
    assert denied.json()["error"] == "this key has scope read; this request needs write"
    created = api.ok("POST", "/components", 201, scope="write", json=body)
    assert api.request("DELETE", f"/components/{created['id']}", scope="write").status_code == 403
    assert api.request("PATCH", "", scope="write", json={"page": {"name": "X"}}).status_code == 403
    assert api.request("DELETE", f"/components/{created['id']}", scope="admin").status_code == 200


def test_a_page_id_that_is_not_ours_gets_404(api: Api) -> None:
    headers = {"Authorization": f"OAuth {api.seeded.keys['read']}"}
    response = api.client.get("/v1/pages/someoneelse1/components", headers=headers)
    assert response.status_code == 404 and "unknown page 'someoneelse1'" in response.json()["error"]


def test_unknown_paths_and_methods_get_json_errors(api: Api) -> None:
    missing = api.request("GET", "/nothing-here")
    assert missing.status_code == 404 and "no such endpoint" in missing.json()["error"]
    wrong = api.request("POST", "/components/abc")
    allow = "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"
    assert wrong.status_code == 405 and wrong.headers["allow"] == allow


def test_requests_past_the_rate_get_429_with_retry_after(db_path: Path, clock: FakeClock) -> None:
    for api in make_api(db_path, clock):
        api.client.app.state.admin_limiter = RateLimiter(per_minute=6, burst=2)  # type: ignore[attr-defined]
        codes = [api.request("GET", "", scope="read").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = api.request("GET", "", scope="read")
        assert limited.headers["retry-after"] == "10"
        assert limited.json() == {"error": "rate limit exceeded; try again in 10 s"}
        assert api.request("GET", "", scope="admin").status_code == 200  # per key


def test_the_rate_limit_comes_from_the_settings(db_path: Path, clock: FakeClock) -> None:
    for api in make_api(db_path, clock, api_rate_limit=60, api_rate_burst=1):
        assert api.request("GET", "", scope="read").status_code == 200
        assert api.request("GET", "", scope="read").status_code == 429


def test_failed_attempts_are_limited_per_address() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    limiter.hit("address:1.2.3.4")
    limiter.hit("address:1.2.3.4")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("address:1.2.3.4")
    assert caught.value.retry_after == 1
    now[0] += 1.0
    limiter.hit("address:1.2.3.4")  # refilled after a second


def test_keys_never_reach_the_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = api.seeded.keys["admin"]
    api.request("GET", "/components")
    api.request("POST", "/incidents", json={"incident": {"name": ""}})
    api.client.get(api.url(), headers={"Authorization": f"OAuth {key}x"})
    assert key not in caplog.text and key[:20] not in caplog.text
