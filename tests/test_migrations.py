"""Migrations are frozen SQL files: their text is pinned, so an edit to a shipped one fails here."""

from __future__ import annotations

import hashlib
import re

from statuspage.migrations import migrations
from statuspage.migrations.triggers import audit_triggers

# Add a line for each new migration; never change a line that is here.
SHIPPED = {
    "0001_core": "c7eec2c350ca909d7eb2db5731fe8668214a30883cc0fa90a8c0599e6861a636",
    "0002_subscribers": "94f6e6df8c7e2b5d9ddc354611cfa11eed134ccab8235cec0caea4db0428e851",
    "0201_comms_outbox": "8b32bd2f3916c6e9c038741d84b93bda22e581e0cdd4671115af42ca3402eef5",
    "0301_api_keys_templates_audit": (
        "2b9a68a8a41394ef8ad2f8c66aa70d886599f82bf07dcabefa8a6a79387e8031"
    ),
    "0302_audit_comms_approvals": (
        "f377e08d5674fba48b4a17ab50f3a196d457c330da923f31e27225a91ffabe8d"
    ),
    "0401_delivery": "c58369c418afc925f404a37e10c91e283dfb809fe0af6da7c8f94f85988c55ed",
    "0501_subscriptions": "f651a81a569c76802f24a5b15c9d3e1068dac92f9bf7fff16c53c6a6215b76db",
    "0502_audit_subscriber_components_tags": (
        "0d56cf7155497c365dc240123352e7fb9d2d4ed07ae70d09542ac7656ac3e7fa"
    ),
    "0601_translations": "bc90c675ad16b964c5fe96ee3e1cabb15485f0fd2e2c29fb626e225513dae064",
    "0701_automation": "aed9a0e11c8baa5beb1bb31d1abdb4851a4c93593768c30af05c29b956dce303",
    "0703_checks": "85d0f0b0d45281ab491419e2885c70b2e429ec2f6b1b3e8765cac10f8dd8ef68",
    "0704_checks_through_rules": (
        "b6694ac98d57bc6c3ebe710769c2bd6ad8805376633dd5f1f03fde8d65ef72f5"
    ),
    "0705_check_tallies": "74127ba124357068569cf21bccf9c87d04fae282c5a51eb5fc993fcbbd7cda9e",
    "0801_page_branding": "c8699e3fb1be81f87fdd9ba8874ee3a0480f0607c20caac77966bbd0e488a8e6",
}


def test_no_shipped_migration_was_edited_renamed_or_removed() -> None:
    found = {name: hashlib.sha256(sql.encode()).hexdigest() for name, sql in migrations()}
    assert {name: found.get(name) for name in SHIPPED} == SHIPPED


def test_migrations_run_in_the_order_of_their_numbered_names() -> None:
    names = [name for name, _ in migrations()]
    assert names == sorted(names)
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", name) for name in names)
    assert names[: len(SHIPPED)] == list(SHIPPED)


def test_the_trigger_generator_writes_the_triggers_pasted_into_0502() -> None:
    sql = dict(migrations())["0502_audit_subscriber_components_tags"]
    generated = audit_triggers(
        "subscriber_components",
        "{row}.subscriber_id || '/' || {row}.component_id",
        "NULL",
        ("subscriber_id", "component_id"),
    )
    assert generated in sql
    assert "CREATE TRIGGER audit_subscriber_components_update" in generated
