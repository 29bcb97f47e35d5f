"""The shipped message catalogues (zh_Hans, ru): complete, consistent and what the page renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from statuspage.config import Settings
from statuspage.resources import LOCALES
from statuspage.service import Service
from statuspage.site.builder import SiteBuilder
from statuspage.site.snapshot import SnapshotReader
from tests.conftest import FakeClock

SHIPPED = ("zh_Hans", "ru")
ROOT = Path(__file__).resolve().parent.parent
# A python-format placeholder: %(name)s, %(n)d, or the literal %%.
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd%]")


def pybabel(*args: str) -> int:
    """Run a pybabel command in-process (the command line the Makefile uses)."""
    return CommandLineInterface().run(["pybabel", "-q", *args]) or 0


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def template() -> Catalog:
    return read_catalog(LOCALES / "messages.pot")


def shipped(lang: str) -> Catalog:
    return read_catalog(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def forms(message: Message) -> tuple[str, ...]:
    s = message.string
    return tuple(s) if isinstance(s, (tuple, list)) else (s or "",)


def untranslated(pot: Catalog, po: Catalog) -> list[str]:
    """The msgids of `pot` that `po` lacks, leaves empty (any plural form) or marks fuzzy."""
    missing = []
    for entry in pot:
        if not entry.id:
            continue
        found = po.get(entry.id)
        if found is None or found.fuzzy or not all(forms(found)):
            missing.append(str(entry.id))
    return missing


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_msgid_of_the_template_has_a_translation_in_each_shipped_language(lang: str) -> None:
    pot, po = template(), shipped(lang)
    assert len(msgids(pot)) > 100
    assert untranslated(pot, po) == []
    # The catalogue carries nothing the sources no longer use (obsolete entries confuse reviewers).
    assert msgids(po) == msgids(pot)


def test_the_completeness_check_names_a_missing_empty_or_fuzzy_translation() -> None:
    pot, po = template(), shipped("ru")
    del po["Operational"]
    po["Resolved"].string = ""
    po["Monitoring"].flags.add("fuzzy")
    plural = next(m for m in po if m.pluralizable)
    plural.string = (*forms(plural)[:2], "")
    assert sorted(untranslated(pot, po)) == sorted(
        ["Operational", "Resolved", "Monitoring", str(plural.id)]
    )


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_translation_keeps_the_placeholders_of_its_msgid(lang: str) -> None:
    wrong = []
    for m in shipped(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        expected = placeholders(ids[-1])
        assert all(placeholders(i) == expected for i in ids)
        wrong += [(str(ids[0]), form) for form in forms(m) if placeholders(form) != expected]
    assert wrong == []


def test_the_russian_catalogue_has_three_plural_forms_all_filled() -> None:
    po = shipped("ru")
    assert po.num_plurals == 3
    plurals = [m for m in po if m.id and m.pluralizable]
    assert plurals
    for m in plurals:
        assert len(forms(m)) == 3 and all(forms(m)), m.id
    assert shipped("zh_Hans").num_plurals == 1


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_shipped_mo_file_is_compiled_from_the_current_po_file(
    lang: str, tmp_path: Path
) -> None:
    source = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    fresh = tmp_path / "messages.mo"
    assert pybabel("compile", "-i", str(source), "-o", str(fresh), "-l", lang) == 0

    def entries(path: Path) -> dict[tuple[str, ...], tuple[str, ...]]:
        with path.open("rb") as f:
            catalog = read_mo(f)
        return {tuple(m.id) if m.pluralizable else (m.id,): forms(m) for m in catalog if m.id}

    assert len(entries(fresh)) > 100

    assert entries(LOCALES / lang / "LC_MESSAGES" / "messages.mo") == entries(fresh)


def test_the_template_is_up_to_date_with_the_templates_and_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(
        ROOT
    )  # babel.cfg's patterns are relative to the checkout, as in `make messages`
    keywords = ("-k", "N_", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2")
    assert pybabel("extract", "-F", "babel.cfg", *keywords, "-o", str(fresh), ".") == 0
    assert msgids(read_catalog(fresh)) == msgids(template())


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("ru", ["Работает нормально", "Частичный сбой", "Серьёзный сбой"]),
        ("zh_Hans", ["运行正常", "部分中断", "重大中断"]),
    ],
)
async def test_the_page_shows_component_statuses_in_the_renderers_language(
    svc: Service, clock: FakeClock, lang: str, labels: list[str]
) -> None:
    for name in ("API", "Billing", "Search"):
        await svc.add_component(name)
    await svc.set_component_status("Billing", "partial_outage")
    await svc.set_component_status("Search", "major_outage")
    site = SiteBuilder(Settings(), locale=lang).build(await SnapshotReader(svc.store, clock).read())
    home = site.get("/")
    assert home is not None
    html = home.body.decode()
    for label in labels:
        assert label in html
    for english in ("Operational", "Partial outage", "Major outage"):
        assert f">{english}<" not in html
