"""What every command shares: settings, running a use case, and errors at the edge."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from statuspage.audit import acting_as, local_actor
from statuspage.comms.compose.preview import DryRun, Options, Preview, Previewer
from statuspage.comms.kit import LazyComms
from statuspage.config import Settings
from statuspage.errors import StatuspageError
from statuspage.service import Service
from statuspage.service.operations import Operations
from statuspage.text import describe

T = TypeVar("T")


@dataclass
class Context:
    settings: Settings
    server: str | None = None  # remote mode: the admin API at this URL does the work
    _comms: LazyComms | None = field(default=None, repr=False)

    @property
    def comms(self) -> LazyComms | None:
        """The comms plan of the settings, loaded when first needed; None when there is none.

        In remote mode the server's plan rules, so the CLI loads none of its own.
        """
        if self.server:
            return None
        if self._comms is None:
            lazy = LazyComms(self.settings, os.environ)
            self._comms = lazy if lazy.configured else None
        return self._comms

    def run(self, use_case: Callable[[Operations], Awaitable[T]], *, create: bool = False) -> T:
        """Open the database (or reach the server), run one use case, close it."""
        if self.server:
            return asyncio.run(self._run_remote(use_case, self.server))
        return self.run_local(use_case, create=create)

    def run_local(self, use_case: Callable[[Service], Awaitable[T]], *, create: bool = False) -> T:
        """Run a use case that only the local database offers; refused in remote mode."""
        if self.server:
            raise StatuspageError(
                "this command works on the local database only; run it on the server "
                "without --server"
            )
        click_ctx = click.get_current_context(silent=True)
        action = click_ctx.command_path.partition(" ")[2] if click_ctx else None
        with acting_as(local_actor(action or "cli")):
            return asyncio.run(self._run(use_case, create))

    async def _run_remote(self, use_case: Callable[[Operations], Awaitable[T]], server: str) -> T:
        from statuspage.cli.remote import RemoteService

        token = os.environ.get("STATUSPAGE_TOKEN", "").strip()
        if not token:
            raise StatuspageError(
                "set STATUSPAGE_TOKEN to an API key for remote mode "
                "(made on the server with `statuspage token create NAME`)"
            )
        async with RemoteService(server, token) as remote:
            return await use_case(remote)

    async def _run(self, use_case: Callable[[Service], Awaitable[T]], create: bool) -> T:
        # The settings' subscription policy: in remote mode the server has its own.
        policy = self.settings.subscription_policy()
        svc = await Service.open(
            self.settings.db, create=create, comms=self.comms, subscription_policy=policy
        )
        try:
            return await use_case(svc)
        finally:
            await svc.close()

    def dry_run(self, use_case: Callable[[Operations], Awaitable[object]]) -> Preview:
        """Run a use case up to its messages, preview them, and roll everything back."""
        if self.server:
            raise StatuspageError(
                "--dry-run previews against the local database; run it on the server "
                "without --server (or use `statuspage comms preview` there)"
            )

        async def use(svc: Service) -> Preview:
            svc.sinks.append(self.previewer().sink())
            try:
                await use_case(svc)
            except DryRun as done:
                return done.preview
            raise StatuspageError("this change sends no messages under the comms plan")

        return self.run_local(use)

    def previewer(self) -> Previewer:
        """A Previewer for the configured plan (PlanError when there is none)."""
        from statuspage.comms.deliver.wiring import missing_settings

        comms = (self.comms or LazyComms(self.settings, os.environ)).load()
        options = Options(
            self.settings.sms_rate,
            self.settings.sms_warn_after,
            secret_key_set=bool(self.settings.secret_key),
            environ=os.environ,
            unconfigured=missing_settings(self.settings, comms.plan),
        )
        return Previewer(comms, options)


pass_context = click.make_pass_decorator(Context)


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
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else ctx.command_path
            raise UsageLine(f"{exc.format_message()} (see: {where} --help)") from exc


class UsageLine(click.ClickException):
    """One line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
