"""The tone check: calm, factual, the next update promised, the fix never promised."""

from __future__ import annotations

import pytest

from statuspage.comms.compose.tone import check_tone

CALM = (
    "We are investigating elevated error rates on the API in the EU region. Requests to "
    "https://api.acme.example/v1 may fail with HTTP 503; retrying is safe. "
    "Next update by 14:30 CET."
)


def rules(text: str, **kw: object) -> list[str]:
    return [f.rule for f in check_tone(text, **kw)]  # type: ignore[arg-type]


def test_a_calm_factual_update_passes() -> None:
    assert rules(CALM, needs_next_update=True) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("We are on it!", "exclamation"),
        ("The API is back 🎉", "emoji"),
        ("Sorry about that :)", "emoji"),
        ("The API is DOWN for everyone.", "shouting"),
        ("Oops, a small hiccup in the database.", "humour"),
        ("lol our deploy broke login", "humour"),
        ("It will be fixed in 10 minutes.", "promise"),
        ("Service should be restored by 15:00.", "promise"),
        ("We expect this to be resolved shortly.", "promise"),
        ("ETA for a fix: 20 minutes.", "promise"),
        ("Everything will be back to normal within the hour.", "promise"),
    ],
)
def test_each_tone_problem_is_found(text: str, rule: str) -> None:
    assert rule in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "The SSO, DNS and CDN providers report no issue; SEV1 declared in US-East.",
        "We will post the next update within 30 minutes.",
        "We rolled back the deploy in the last few minutes.",
        "Read the details at https://status.acme.example/INCIDENT/ABC.",
    ],
)
def test_acronyms_urls_and_promises_of_the_next_update_are_fine(text: str) -> None:
    assert rules(text) == []


def test_the_plan_can_name_its_own_acronyms() -> None:
    assert rules("ACME payments are delayed.") == ["shouting"]
    assert rules("ACME payments are delayed.", acronyms=["ACME"]) == []


def test_an_ongoing_major_incident_must_name_the_next_update() -> None:
    assert rules("We are investigating.", needs_next_update=True) == ["next-update"]
    assert rules("We are investigating. Next update soon.", needs_next_update=True) == [
        "next-update"
    ]
    assert (
        rules("Investigating. 14:30 CET", needs_next_update=True, next_update_text="14:30 CET")
        == []
    )
    assert rules("We are investigating.") == []


def test_findings_quote_the_offending_words() -> None:
    (finding,) = check_tone("The API is COMPLETELY DOWN.")
    assert finding.excerpt == "COMPLETELY, DOWN"
    assert "capitals read as shouting" in str(finding)
