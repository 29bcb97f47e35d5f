"""The service layer's seams: one typed set of operations for local and remote mode, and
the CLI and the web reaching storage only through the service."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from statuspage.cli.context import Context
from statuspage.cli.remote import RemoteService
from statuspage.config import load_settings
from statuspage.errors import StatuspageError
from statuspage.model import Channel
from statuspage.serialize import iso, subscriber_data_json
from statuspage.service import Service
from statuspage.service.operations import Operations
from statuspage.service.subscribers import NewSubscriber
from statuspage.storage import Store
from statuspage.subscriptions import SubscriptionPolicy
from tests.conftest import TEST_SECRET_KEY, FakeClock

PACKAGE = Path(__file__).resolve().parent.parent / "statuspage"
ABOVE_THE_SERVICE = [
    PACKAGE / "cli",
    PACKAGE / "admin",
    PACKAGE / "subscribe",
    PACKAGE / "hooks.py",
]


def _modules() -> list[tuple[str, ast.Module]]:
    files: list[Path] = []
    for place in ABOVE_THE_SERVICE:
        files += sorted(place.rglob("*.py")) if place.is_dir() else [place]
    return [(str(f.relative_to(PACKAGE)), ast.parse(f.read_text("utf-8"))) for f in files]


def _protocol_methods() -> list[str]:
    return [
        name
        for name, value in vars(Operations).items()
        if not name.startswith("_") and inspect.isfunction(value)
    ]


def _parameters(function: object) -> tuple[list[str], set[str]]:
    """The positional parameters in order, and the keyword-only ones."""
    found = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [p.name for p in found if p.kind != keyword], {
        p.name for p in found if p.kind == keyword
    }


@pytest.mark.parametrize("name", _protocol_methods())
def test_the_local_service_and_the_remote_client_both_offer_each_operation(name: str) -> None:
    positional, keyword = _parameters(getattr(Operations, name))
    assert _parameters(getattr(RemoteService, name)) == (positional, keyword)
    local_positional, local_keyword = _parameters(getattr(Service, name))
    assert local_positional == positional
    assert keyword <= local_keyword  # the admin API's extra filters come on top
    assert inspect.iscoroutinefunction(getattr(Service, name)) == inspect.iscoroutinefunction(
        getattr(RemoteService, name)
    )


def test_the_operations_are_the_ones_the_remote_commands_call() -> None:
    names = set(_protocol_methods())
    assert {"declare_incident", "list_subscribers", "update_page", "now"} <= names
    assert not names & {"create_api_key", "audit_entries", "tick_report", "ensure_page"}


def test_no_command_casts_what_it_is_given() -> None:
    casts = [
        f"{path}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cast"
    ]
    assert casts == []


def test_the_cli_and_the_web_import_nothing_from_storage() -> None:
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [f"{path}: {n}" for n in names if n.startswith("statuspage.storage")]
    assert found == []


def test_the_cli_and_the_web_never_reach_into_the_services_store() -> None:
    reaches = [
        f"{path}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "store"
    ]
    assert reaches == []


def test_a_local_only_use_case_is_refused_in_remote_mode_with_one_clear_error(
    tmp_path: Path,
) -> None:
    settings = load_settings(overrides={"db": tmp_path / "never.db"})
    ctx = Context(settings, server="http://127.0.0.1:9")

    async def use(svc: Service) -> str:
        return (await svc.page()).name

    with pytest.raises(StatuspageError, match="works on the local database only"):
        ctx.run_local(use)
    assert not (tmp_path / "never.db").exists()


async def test_the_audit_log_is_stamped_with_the_services_clock(
    svc: Service, clock: FakeClock
) -> None:
    clock.advance(days=3)
    await svc.add_component("API")
    [entry] = await svc.audit_entries(limit=1)
    assert entry.at == clock.current


async def test_settings_come_in_at_construction(store: Store) -> None:
    policy = SubscriptionPolicy(secret_key=TEST_SECRET_KEY, code_attempts=2)
    assert Service(store, subscription_policy=policy).subscription_policy is policy
    assert Service(store).subscription_policy == SubscriptionPolicy()


def test_the_service_imports_no_presentation() -> None:
    found = []
    for path in sorted((PACKAGE / "service").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "statuspage.serialize":
                found.append(path.name)
    assert found == []


async def test_a_data_request_comes_back_as_domain_values_the_api_then_shows(
    svc: Service, clock: FakeClock
) -> None:
    await svc.add_component("API")
    added = await svc.add_subscriber(
        NewSubscriber(Channel.EMAIL, "ann@example.com", components=("API",))
    )
    data = await svc.subscriber_data("ann@example.com")
    assert data.subscriber == added and data.components == ("API",)
    assert data.awaiting_confirmation is not None
    assert data.awaiting_confirmation.sent_at == clock.current
    shown = subscriber_data_json(data)
    assert shown["subscriber"]["components"] == ["API"]
    assert shown["awaiting_confirmation"]["sent_at"] == iso(clock.current)
