"""Use cases for texts in other languages: the page's default language, and translations of
the page name, groups, components, incidents (names) and updates (bodies).

A text is written in the page's language; a translation adds the same text in another shipped
language. Readers, subscribers and feeds in that language get the translation, others the
original with a note saying which language it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from statuspage import languages
from statuspage.errors import InvalidField, InvalidInput, NotFound
from statuspage.model import (
    TRANSLATABLE,
    Page,
    TranslationSubject,
    check_message,
    check_title,
    unknown_name,
)
from statuspage.service.components import Components
from statuspage.service.context import ServiceContext
from statuspage.storage import Queries

Texts = Mapping[str, str]  # language -> text
# language -> field -> text (None: remove that translation), as the Manage API takes them
FieldTexts = Mapping[str, Mapping[str, str | None]]


def check_translations(
    texts: Texts, page_language: str, field: str = "body", what: str = "translation"
) -> dict[str, str]:
    """Translations as given by a user, checked: each language shipped and not the page's own,
    each text like the original (a title for names, a message for bodies). Empty texts are
    refused (use `clear` to remove a translation)."""
    checked: dict[str, str] = {}
    for raw, text in texts.items():
        language = languages.check(raw, "translation")
        if language == page_language:
            raise InvalidField(
                "translation",
                f"{language} is the page's own language: write that text as the message "
                "itself, and translations for the other languages",
            )
        if language in checked:
            raise InvalidField("translation", f"the {language} translation is given twice")
        label = f"{what} ({language})"
        checked[language] = (
            check_message(text, what=label) if field in ("body", "description")
            else check_title(text, label)
        )  # fmt: skip
    return checked


async def store_translations(
    ctx: ServiceContext,
    q: Queries,
    subject: TranslationSubject,
    subject_id: str,
    field: str,
    texts: Mapping[str, str],
) -> bool:
    """Save checked translations of one field in the current transaction; True if any
    changed."""
    now = ctx.now()
    changed = False
    for language, text in texts.items():
        changed |= await q.save_translation(subject.value, subject_id, field, language, text, now)
    return changed


async def given_translations(
    q: Queries, given: Texts | None, field: str = "body", what: str | None = None
) -> dict[str, str]:
    """Translations a user gave, checked against the page's language (none: empty)."""
    if not given:
        return {}
    page = await q.get_page()
    label = what or ("message translation" if field == "body" else "name translation")
    return check_translations(given, page.language if page else "en", field, label)


def split_fields(texts: FieldTexts | None, field: str) -> dict[str, str | None]:
    """One field of per-language texts: {language: text} for the languages that give it."""
    return {lang: fields[field] for lang, fields in (texts or {}).items() if field in fields}


def only_texts(texts: Mapping[str, str | None], where: str) -> dict[str, str]:
    """Texts for something new: a translation cannot be removed (null) from it."""
    for language, text in texts.items():
        if text is None:
            raise InvalidField(
                "translation", f"{where} ({language}) is null: there is nothing to remove yet"
            )
    return {language: text for language, text in texts.items() if text is not None}


class Translations:
    """The page's language, and translations of what the page shows."""

    def __init__(self, ctx: ServiceContext, components: Components) -> None:
        self.ctx = ctx
        self.components = components

    async def set_page_language(self, language: str) -> Page:
        """The page's default language: what untranslated texts are written in."""
        code = languages.check(language)
        async with self.ctx.write() as q:
            page = await _page(q)
            page = replace(page, language=code, updated_at=self.ctx.now())
            await q.save_page(page)
            return page

    async def translate(
        self,
        subject: TranslationSubject,
        ref: str,
        language: str,
        texts: Mapping[str, str | None],
    ) -> str:
        """Set (text) or clear (None) translations of fields of one row; its id.

        `ref`: a component or group by name or id, an incident or update by id; ignored for
        the page.
        """
        allowed = TRANSLATABLE[subject]
        unknown = [f for f in texts if f not in allowed]
        if unknown or not texts:
            raise InvalidInput(
                f"a {subject.value} has translatable fields {', '.join(allowed)}; "
                f"got {', '.join(unknown) or 'none'}"
            )
        async with self.ctx.write() as q:
            page = await _page(q)
            subject_id = await self._resolve(q, subject, ref, page)
            for field, text in texts.items():
                if text is None:
                    code = languages.check(language)
                    await q.delete_translation(subject.value, subject_id, field, code)
                    continue
                what = f"{subject.value} {field}"
                checked = check_translations({language: text}, page.language, field, what)
                await store_translations(self.ctx, q, subject, subject_id, field, checked)
            await self._touch(q, subject, subject_id)
            return subject_id

    async def translate_fields(
        self, subject: TranslationSubject, ref: str, texts: FieldTexts | None
    ) -> None:
        """Several languages' texts of one row (None removes one), in one transaction."""
        if not texts:
            return
        async with self.ctx.write():
            for language, fields in texts.items():
                await self.translate(subject, ref, language, dict(fields))

    async def translate_update(
        self, incident_id: str, update_id: str | None, language: str, text: str | None
    ) -> str:
        """Set (text) or clear (None) the translation of one update of an incident (the
        latest when `update_id` is None); the update's id."""
        async with self.ctx.write() as q:
            incident = await self.ctx.incident(q, incident_id)
            ids = [u.id for u in incident.updates]
            wanted = (update_id or "").strip() or (ids[0] if ids else "")
            if wanted not in ids:
                raise NotFound(
                    f"{incident.id} has no update {update_id!r}; its updates are: "
                    + (", ".join(ids) or "none")
                )
            await self.translate(TranslationSubject.UPDATE, wanted, language, {"body": text})
            return wanted

    async def edit_page(
        self,
        *,
        name: str | None = None,
        url: str | None = None,
        time_zone: str | None = None,
        language: str | None = None,
        translations: FieldTexts | None = None,
    ) -> Page:
        """Change the page's settings, default language and name translations together."""
        async with self.ctx.write() as q:
            if language is not None:
                await self.set_page_language(language)
            if name is not None or url is not None or time_zone is not None:
                await self.components.update_page(name=name, url=url, time_zone=time_zone)
            await self.translate_fields(TranslationSubject.PAGE, "", translations)
            return await _page(q)

    async def _resolve(self, q: Queries, subject: TranslationSubject, ref: str, page: Page) -> str:
        if subject is TranslationSubject.PAGE:
            return page.id
        if subject is TranslationSubject.COMPONENT:
            return (await self.ctx.component(q, ref)).id
        if subject is TranslationSubject.GROUP:
            group = await q.find_group(ref.strip())
            if group is None:
                names = [g.name for g in await q.list_groups()]
                raise NotFound(unknown_name("group", ref, names, "groups"))
            return group.id
        if subject is TranslationSubject.INCIDENT:
            return (await self.ctx.incident(q, ref)).id
        if not await q.translated_row_exists(subject.value, ref.strip()):
            raise NotFound(f"unknown incident update {ref!r}")
        return ref.strip()

    async def _touch(self, q: Queries, subject: TranslationSubject, subject_id: str) -> None:
        """Mark what was translated as changed, so the page and feeds show it."""
        await q.touch_translated(subject.value, subject_id, self.ctx.now())


async def _page(q: Queries) -> Page:
    page = await q.get_page()
    if page is None:
        raise NotFound("the database has no page yet; run `statuspage init`")
    return page
