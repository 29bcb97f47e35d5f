"""The alerts scope stands aside from read < write < admin: it posts alerts and nothing else."""

from __future__ import annotations

from statuspage.keys import Scope


def test_an_alerts_key_may_post_alerts_only_and_admin_may_too() -> None:
    allowed = {(have, need) for have in Scope for need in Scope if have.allows(need)}
    assert {need for have, need in allowed if have is Scope.ALERTS} == {Scope.ALERTS}
    assert {have for have, need in allowed if need is Scope.ALERTS} == {Scope.ALERTS, Scope.ADMIN}
    assert {need for have, need in allowed if have is Scope.WRITE} == {Scope.READ, Scope.WRITE}
    assert {need for have, need in allowed if have is Scope.ADMIN} == set(Scope)
