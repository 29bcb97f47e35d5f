"""Click groups: our errors as one line with exit code 2, and subcommands loaded lazily.

This module stays light (click and our errors only): `statuspage --help` imports it and
the module of no subcommand, so it starts fast; a command imports what it needs.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from typing import Any

import click

from statuspage.errors import StatuspageError
from statuspage.text import describe

# click 8.2+ raises this for a group given no subcommand (8.1 printed the help and exited).
NO_ARGS_IS_HELP: tuple[type[Exception], ...] = tuple(
    e for e in [getattr(click.exceptions, "NoArgsIsHelpError", None)] if e is not None
)


class Group(click.Group):
    """A click group that turns our errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StatuspageError as exc:
            raise UsageLine(str(exc)) from exc
        except UnicodeEncodeError as exc:
            # An argument with bytes that are not UTF-8 (Python keeps them as lone
            # surrogates) reached a lookup: published text is refused before, by the model.
            if not isinstance(exc.object, str) or exc.reason != "surrogates not allowed":
                raise
            raise UsageLine(
                f"{exc.object!a} is not valid text: it contains "
                f"{describe(exc.object[exc.start])} at position {exc.start + 1}"
            ) from exc
        except NO_ARGS_IS_HELP:
            raise  # `statuspage incident` alone: the group's help, as click shows it
        except click.UsageError as exc:
            raise one_line(exc, ctx.command_path) from exc

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The top level's own usage errors (`statuspage --dbb x`) as one line too; those of
        subcommands are worded by their parent's `invoke`."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NO_ARGS_IS_HELP:
            raise
        except click.UsageError as exc:
            if parent is not None:
                raise
            raise one_line(exc, info_name or "statuspage") from exc

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A mistyped command names the closest, lazily loaded ones included."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            ctx.fail(
                f"No such command {name!r}." + (f" Did you mean {close[0]!r}?" if close else "")
            )
        return super().resolve_command(ctx, args)


def one_line(exc: click.UsageError, path: str) -> UsageLine:
    where = exc.ctx.command_path if exc.ctx else path
    return UsageLine(f"{exc.format_message()} (see: {where} --help)")


class LazyGroup(Group):
    """A group whose subcommands are imported when first used: name -> "module:attribute".

    `extra` adds commands to a lazily loaded group: group name -> more "module:attribute".
    """

    def __init__(
        self,
        *args: Any,
        lazy: Mapping[str, str],
        extra: Mapping[str, tuple[str, ...]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)
        self.extra = dict(extra or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            command = load(self.lazy[cmd_name])
            if isinstance(command, click.Group):
                for target in self.extra.get(cmd_name, ()):
                    command.add_command(load(target))
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands with their summaries, which live in the commands' modules:
        for `--help` to stay fast, the summaries are read from SUMMARIES instead."""
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load(target: str) -> click.Command:
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command


class UsageLine(click.ClickException):
    """One line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


SUMMARIES: dict[str, str] = {}  # filled by statuspage.cli (kept true by a test)
