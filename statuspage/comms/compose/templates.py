"""Message templates: where they live, which languages exist, and rendering them safely.

Layout: `<templates dir>/<language>/<channel>/<name>.<part>`, e.g. `en/sms/declared.txt`,
`en/email/declared.subject.txt` + `.txt` + `.html`, `en/webhook/event.json`. Every template
needs an `en` version; a subscriber whose language has its own version gets that one (the
shipped templates exist in en, zh-Hans and ru). Filters besides Jinja's: `slack_escape`, and
`sms_units` (a text's length in SMS units, to add a link only while it fits one segment).
Templates render in a sandbox (plan authors are not code authors) with StrictUndefined, so
a misspelt variable is an error, never an empty gap; `.html` templates are autoescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from statuspage.comms.compose.lengths import smart_encode, sms_length
from statuspage.comms.plan.schema import Channel

DEFAULT_LANGUAGE = "en"
PARTS: dict[Channel, tuple[tuple[str, str], ...]] = {
    Channel.EMAIL: (("subject", "subject.txt"), ("text", "txt"), ("html", "html")),
    Channel.SMS: (("text", "txt"),),
    Channel.SOCIAL: (("text", "txt"),),
    Channel.SLACK: (("text", "json"),),
    Channel.WEBHOOK: (("text", "json"),),
}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Rendered:
    """One rendered message: `text` is the body (SMS, post, e-mail text, Slack/webhook JSON)."""

    channel: Channel
    template: str
    language: str
    text: str
    subject: str | None = None
    html: str | None = None


def slack_escape(value: object) -> str:
    """Escape text for Slack mrkdwn: &, < and > have meaning there."""
    text = str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sms_units(value: object) -> int:
    """How many units a text takes in an SMS (septets in GSM-7, UTF-16 units in UCS-2), as
    written, spaces collapsed: `{% if (text ~ " " ~ link)|sms_units <= 70 %}` keeps one
    UCS-2 segment."""
    return sms_length(" ".join(str(value).split())).units


def sms_text(text: str, smart: bool) -> str:
    """An SMS body: one paragraph, and typographic punctuation swapped for GSM-7 look-alikes
    when that makes the whole message GSM-7 (in UCS-2, « » and … cost no more)."""
    text = " ".join(text.split())
    if not smart:
        return text
    encoded = smart_encode(text)
    return encoded if sms_length(encoded).encoding == "GSM-7" else text


def tidy(text: str) -> str:
    """Trim trailing spaces and runs of blank lines that template logic leaves behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


class Templates:
    """The message templates of one plan, searched in its template directories in order."""

    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self.dirs = dirs
        self._loader = FileSystemLoader([str(d) for d in dirs])
        self._envs: dict[str, ImmutableSandboxedEnvironment] = {}

    def env(self, language: str) -> ImmutableSandboxedEnvironment:
        if language not in self._envs:
            self._envs[language] = self._make_env(language)
        return self._envs[language]

    def _make_env(self, language: str) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=self._loader,
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.policies["truncate.leeway"] = 0  # truncate(60) means at most 60, not 65
        env.filters["slack_escape"] = slack_escape
        env.filters["sms_units"] = sms_units
        env.install_gettext_translations(self._translations(language), newstyle=True)  # type: ignore[attr-defined]
        return env

    def _translations(self, language: str) -> NullTranslations:
        """gettext catalogs from `<templates dir>/locale`, when a plan ships them."""
        for directory in self.dirs:
            found = Translations.load(str(directory / "locale"), [language])
            if isinstance(found, Translations):
                return found
        return NullTranslations()

    def names(self, channel: Channel, name: str, language: str) -> dict[str, str]:
        """Template names of each part of a message, e.g. {"text": "en/sms/declared.txt"}."""
        return {part: f"{language}/{channel.value}/{name}.{ext}" for part, ext in PARTS[channel]}

    def path(self, template_name: str) -> Path | None:
        """Which file a template name resolves to (the first directory that has it)."""
        for directory in self.dirs:
            candidate = directory / template_name
            if candidate.is_file():
                return candidate
        return None

    def missing(self, channel: Channel, name: str, language: str) -> list[str]:
        return [t for t in self.names(channel, name, language).values() if self.path(t) is None]

    def languages(self, channel: Channel, name: str) -> list[str]:
        """Languages with a complete version of this template, en first."""
        found = {DEFAULT_LANGUAGE} if not self.missing(channel, name, DEFAULT_LANGUAGE) else set()
        for directory in self.dirs:
            if not directory.is_dir():
                continue
            for child in directory.iterdir():
                usable = child.is_dir() and _LANGUAGE.match(child.name)
                if usable and not self.missing(channel, name, child.name):
                    found.add(child.name)
        return sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang))

    def language_for(self, channel: Channel, name: str, wanted: str) -> str:
        """The subscriber's language when this template exists in it, else en."""
        return wanted if wanted in self.languages(channel, name) else DEFAULT_LANGUAGE

    def render(
        self,
        channel: Channel,
        name: str,
        language: str,
        variables: dict[str, Any],
        *,
        smart_sms: bool = True,
    ) -> Rendered:
        """Render every part of one message; raises jinja2 errors for broken templates."""
        channel = Channel(channel)
        env = self.env(language)
        parts = {
            part: env.get_template(template).render(variables)
            for part, template in self.names(channel, name, language).items()
        }
        text = tidy(parts["text"])
        if channel is Channel.SMS:
            # One paragraph: line breaks cost characters and render unevenly on phones.
            text = sms_text(text, smart_sms)
        subject = " ".join(parts["subject"].split()) if "subject" in parts else None
        html = parts["html"].strip() if "html" in parts else None
        return Rendered(channel, name, language, text, subject, html)


@cache
def templates_for(dirs: tuple[Path, ...]) -> Templates:
    """One Templates per directory list: compiled templates are reused between messages."""
    return Templates(dirs)
