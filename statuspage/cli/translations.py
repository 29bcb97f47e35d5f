"""Texts in other languages as commands take them: `--translation LANG=TEXT` (repeatable),
`--title-translation LANG=TEXT` and a `--translations FILE.yaml`, merged and checked.

The file holds one entry per language; an entry is the message, or a mapping with the
message and (for `incident declare` and `maintenance schedule`) the title:

    zh-Hans: 我们正在调查 API 错误率升高的问题。
    ru:
      message: Мы выясняем причину ошибок API.
      title: Ошибки API

Languages are accepted as any tag that names a shipped one (`zh`, `zh-CN`, `ru-RU`) and
stored as its canonical tag; each language may be given once, on the command line or in
the file. Errors name where the value came from (the option, or the file and line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from statuspage import languages
from statuspage.cli.output import file_error
from statuspage.errors import InvalidInput
from statuspage.model import Page

F = TypeVar("F", bound=Callable[..., Any])
ENTRY_KEYS = ("message", "title")
MAX_FILE = 1_000_000


@dataclass
class Translated:
    """Messages and titles by canonical language, with where each came from."""

    messages: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, lang) -> where

    def add(self, kind: str, raw_language: str, text: str, where: str) -> None:
        language = _language(raw_language, where)
        seen = self.sources.get((kind, language))
        if seen is not None:
            raise InvalidInput(
                f"the {language} {kind} translation is given twice: {seen} and {where}"
            )
        self.sources[(kind, language)] = where
        (self.messages if kind == "message" else self.titles)[language] = text

    def __bool__(self) -> bool:
        return bool(self.messages or self.titles)

    def check_for(self, page: Page) -> None:
        """Refuse a translation into the page's own language (its text is the original)."""
        for (kind, language), where in self.sources.items():
            if language == page.language:
                option = "--message" if kind == "message" else "the title"
                raise InvalidInput(
                    f"{where}: {language} is the page's own language; write that text as "
                    f"{option} itself, and translations for the other languages"
                )


def _language(raw: str, where: str) -> str:
    found = languages.canonical(raw)
    if found is None:
        choices = ", ".join(languages.codes())
        raise InvalidInput(f"{where}: unknown language {raw!r}; choose one of {choices}")
    return found


def language_argument(value: str, where: str = "LANG") -> str:
    """A LANG argument (or option) as its canonical shipped tag."""
    return _language(value, where)


def split_pair(value: str, option: str) -> tuple[str, str]:
    """LANG=TEXT as given to an option."""
    language, sep, text = value.partition("=")
    if not sep or not language.strip():
        raise InvalidInput(f'{option} takes LANG=TEXT, e.g. {option} ru="..."; not {value!r}')
    return language.strip(), text


def gather(
    messages: Sequence[str] = (),
    titles: Sequence[str] = (),
    path: Path | None = None,
    *,
    titled: bool = False,
) -> Translated:
    """The translations given on the command line and in a file, merged and checked."""
    found = Translated()
    for value in messages:
        language, text = split_pair(value, "--translation")
        found.add("message", language, text, f"--translation {language}=...")
    for value in titles:
        language, text = split_pair(value, "--title-translation")
        found.add("title", language, text, f"--title-translation {language}=...")
    if path is not None:
        read_file(path, found, titled=titled)
    return found


def read_file(path: Path, found: Translated, *, titled: bool) -> None:
    """Add the entries of a translations file (the shape in this module's docstring)."""
    root = _compose(path)
    name = path.name
    if root is None:
        raise InvalidInput(f'{name} is empty; write one entry per language, e.g. ru: "..."')
    if not isinstance(root, yaml.MappingNode):
        raise InvalidInput(f'{name}, line {_line(root)}: expected entries like ru: "..."')
    for key, value in root.value:
        where = f"{name}, line {_line(key)}"
        raw = _scalar(key, where, "a language tag")
        if isinstance(value, yaml.MappingNode):
            _entry(value, raw, name, found, titled)
        else:
            found.add("message", raw, _scalar(value, where, "the message"), where)


def _entry(
    node: yaml.MappingNode, language: str, name: str, found: Translated, titled: bool
) -> None:
    if not node.value:
        raise InvalidInput(f"{name}, line {_line(node)}: {language} has no message or title")
    for key, value in node.value:
        where = f"{name}, line {_line(key)}"
        kind = _scalar(key, where, "message or title")
        if kind not in ENTRY_KEYS:
            raise InvalidInput(f"{where}: unknown key {kind!r}; an entry takes message, title")
        if kind == "title" and not titled:
            raise InvalidInput(
                f"{where}: only `incident declare` and `maintenance schedule` take a title; "
                "translate a name with `incident translate ID LANG --name TEXT`"
            )
        found.add(kind, language, _scalar(value, where, f"the {kind}"), where)


def _compose(path: Path) -> yaml.Node | None:
    try:
        raw = path.read_bytes()[: MAX_FILE + 1]
        if len(raw) > MAX_FILE:
            raise InvalidInput(f"{path} is larger than {MAX_FILE} bytes")
        return yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {file_error(exc)}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(f"{path.name}{line}: not valid YAML ({problem})") from exc


def _scalar(node: yaml.Node, where: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise InvalidInput(f"{where}: expected {what} as text")
    return str(node.value)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def message_options(*, titled: bool = False) -> Callable[[F], F]:
    """--translation, --translations and (titled) --title-translation."""

    def decorate(command: F) -> F:
        if titled:
            command = click.option(
                "--title-translation",
                "title_translations",
                multiple=True,
                metavar="LANG=TEXT",
                help="The title in another language; repeat for several.",
            )(command)
        command = click.option(
            "--translations",
            "translations_file",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE.yaml",
            help="Translations from a YAML file: `LANG: message`, or `LANG: {message: ..., "
            "title: ...}` (see the README).",
        )(command)
        return click.option(
            "--translation",
            "translations",
            multiple=True,
            metavar="LANG=TEXT",
            help="The message in another language (zh-Hans, ru; zh and ru-RU work too); "
            "repeat for several.",
        )(command)

    return decorate


def need_message(found: Translated, message: str | None) -> None:
    """Translations translate --message: refuse them without it."""
    if found.messages and message is None:
        raise InvalidInput("--translation translates --message: give --message too")


def clear_or_texts(clear: bool, **given: str | None) -> dict[str, str | None]:
    """What a `translate` command sets: the fields given, or (--clear) every field removed."""
    texts = {name: text for name, text in given.items() if text is not None}
    if clear and texts:
        raise InvalidInput("--clear removes the translation; give it without the texts")
    if clear:
        return dict.fromkeys(given)
    if not texts:
        options = " or ".join(f"--{name}" for name in given)
        raise InvalidInput(f"give {options} (the text in that language), or --clear")
    return dict(texts)


def translated_line(what: str, language: str, texts: dict[str, str | None]) -> str:
    """One line saying what a `translate` command did."""
    if all(text is None for text in texts.values()):
        return f"Removed the {language} translation of {what}."
    return f"Translated {what} into {language}: {', '.join(texts)}."
