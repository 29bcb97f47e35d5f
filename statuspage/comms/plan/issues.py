"""Findings about a comms plan or a message: where, how bad, what to do about it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Where:
    """A place in a file, 1-based like editors and compilers show it."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Issue:
    where: Where
    level: Level
    message: str
    hint: str = ""

    def __str__(self) -> str:
        """`file:line:column: error: message; hint: ...`, one line."""
        text = f"{self.where}: {self.level.value}: {self.message}"
        return f"{text}; hint: {self.hint}" if self.hint else text


class Issues:
    """Findings collected while checking a plan; the same finding is kept once."""

    def __init__(self) -> None:
        self._items: list[Issue] = []
        self._seen: set[Issue] = set()

    def add(self, issue: Issue) -> None:
        if issue not in self._seen:
            self._seen.add(issue)
            self._items.append(issue)

    def error(self, where: Where, message: str, hint: str = "") -> None:
        self.add(Issue(where, Level.ERROR, message, hint))

    def warning(self, where: Where, message: str, hint: str = "") -> None:
        self.add(Issue(where, Level.WARNING, message, hint))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self._items if i.level is Level.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self._items if i.level is Level.WARNING]

    def sorted(self) -> list[Issue]:
        """Errors first, then by place in the file."""
        return sorted(self._items, key=lambda i: (i.level is not Level.ERROR, i.where))

    def __iter__(self) -> Iterator[Issue]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
