"""YAML read into a small tree that remembers where every key and value was written.

PyYAML's composer keeps a start mark on every node; plain `yaml.safe_load` throws them
away. Plan errors must say `file:line:column`, so the plan reader works on this tree.
Scalars keep their source text: a phone number such as +4930123456 or a key such as
`no` stays the text it was written as (YAML 1.1 would turn them into a number and False).

A plan is read whole before anything is checked, so its size is bounded: the file (1 MiB),
how deeply values nest, and how many values the tree has once aliases and merges are
expanded (a "billion laughs" file is small but would expand without end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from statuspage.comms.plan.issues import Issues, Where

MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64  # the shipped plan nests 7 deep
MAX_VALUES = 50_000  # values once aliases are expanded
_TYPES = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "empty",
}


@dataclass
class Node:
    where: Where
    path: str

    @property
    def kind(self) -> str:
        return "a value"


@dataclass
class Scalar(Node):
    text: str = ""
    tag: str = "tag:yaml.org,2002:str"

    @property
    def kind(self) -> str:
        return _TYPES.get(self.tag, "text")

    @property
    def is_null(self) -> bool:
        return self.tag == "tag:yaml.org,2002:null"


@dataclass
class Mapping(Node):
    # key -> (the key's node, the value's node), in the order written
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "a mapping"

    def get(self, key: str) -> Node | None:
        found = self.entries.get(key)
        return found[1] if found else None

    def key_where(self, key: str) -> Where:
        found = self.entries.get(key)
        return found[0].where if found else self.where


@dataclass
class Sequence(Node):
    items: list[Node] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "a list"


def load(path: Path, issues: Issues, display: str | None = None) -> Node | None:
    """Read one YAML document; syntax errors become issues and give None."""
    name = display or str(path)
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        # Plans, automation rules and checks are read here: the file, and why, once.
        why = exc.strerror if isinstance(exc, OSError) else None
        issues.error(Where(name), f"cannot read the file: {why or 'not UTF-8 text'}")
        return None
    except _TooLarge as exc:
        issues.error(Where(name), exc.message, exc.hint)
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)
        if root is None:
            issues.error(
                Where(name),
                "the plan is empty",
                "start from the shipped one: statuspage plan example > plan.yaml",
            )
            return None
        return _Converter(name, issues).convert(root, "")
    except _TooLarge as exc:
        issues.error(_where(name, exc.mark) if exc.mark else Where(name), exc.message, exc.hint)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _where(name, mark) if mark else Where(name)
        issues.error(where, f"not valid YAML: {exc.problem or exc.context}", "check indentation")
    except yaml.YAMLError as exc:
        issues.error(Where(name), f"not valid YAML: {exc}")
    return None


def _read(path: Path) -> str:
    with path.open("rb") as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _TooLarge(None, "the plan is larger than 1 MiB", "split out what is not the plan")
    return data.decode("utf-8")


class _TooLarge(Exception):
    """The plan exceeds a bound; `mark` is where it was noticed."""

    def __init__(self, mark: yaml.Mark | None, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


def _too_deep(mark: yaml.Mark) -> _TooLarge:
    return _TooLarge(mark, f"values nest more than {MAX_DEPTH} levels deep", "flatten the plan")


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than MAX_DEPTH (its composer recurses)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _too_deep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _where(name: str, mark: yaml.Mark) -> Where:
    return Where(name, mark.line + 1, mark.column + 1)


class _Converter:
    def __init__(self, name: str, issues: Issues) -> None:
        self.name = name
        self.issues = issues
        self.active: set[int] = set()
        self.left = MAX_VALUES  # values still allowed: aliases repeat what they refer to

    def convert(self, node: yaml.Node, path: str) -> Node:
        where = _where(self.name, node.start_mark)
        if id(node) in self.active:
            self.issues.error(where, "a YAML alias refers to itself", "remove the recursion")
            return Scalar(where, path, "", "tag:yaml.org,2002:null")
        self.left -= 1
        if self.left < 0:
            raise _TooLarge(
                node.start_mark,
                f"the plan has more than {MAX_VALUES} values once its aliases are expanded",
                "use fewer YAML aliases (*name) to repeat large parts",
            )
        if len(self.active) >= MAX_DEPTH:  # aliases can nest deeper than the text does
            raise _too_deep(node.start_mark)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, where)
            if isinstance(node, yaml.SequenceNode):
                items = [self.convert(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
                return Sequence(where, path, items)
            return Scalar(where, path, str(node.value), node.tag)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: str, where: Where) -> Mapping:
        result = Mapping(where, path)
        merged: dict[str, tuple[Scalar, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged.update(self._merge(value_node, path))
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key.text in result.entries:
                first = result.entries[key.text][0].where.line
                self.issues.error(
                    key.where, f"duplicate key {key.text!r} (first at line {first})", "keep one"
                )
                continue
            child = f"{path}.{key.text}" if path else key.text
            result.entries[key.text] = (key, self.convert(value_node, child))
        result.entries = {
            **{k: v for k, v in merged.items() if k not in result.entries},
            **result.entries,
        }
        return result

    def _key(self, key_node: yaml.Node, path: str) -> Scalar | None:
        where = _where(self.name, key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            self.issues.error(where, "a key must be a plain word", "use a name such as SEV1")
            return None
        return Scalar(where, path, str(key_node.value), key_node.tag)

    def _merge(self, value: yaml.Node, path: str) -> dict[str, tuple[Scalar, Node]]:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        merged: dict[str, tuple[Scalar, Node]] = {}
        for source in reversed(sources):
            converted = self.convert(source, path)
            if isinstance(converted, Mapping):
                merged.update(converted.entries)
            else:
                self.issues.error(converted.where, "`<<` merges only mappings")
        return merged
