"""What every command shares: settings, running a use case, and errors at the edge."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import click

from statuspage.audit import acting_as, local_actor
from statuspage.cli.group import Group, UsageLine
from statuspage.errors import NotFound, PlanError, StatuspageError

if TYPE_CHECKING:  # imported where used: a command loads only what it runs
    from statuspage.comms.compose.preview import Preview, Previewer
    from statuspage.comms.kit import LazyComms
    from statuspage.comms.plan.schema import Plan
    from statuspage.config import Settings
    from statuspage.service import Service
    from statuspage.service.operations import Operations

__all__ = ["Context", "Group", "UsageLine", "dry_run_option", "json_option", "pass_context"]

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
            from statuspage.comms.kit import LazyComms

            lazy = LazyComms(self.settings, os.environ)
            self._comms = lazy if lazy.configured else None
        return self._comms

    def listing_plan(self) -> Plan | None:
        """The configured plan, read but not validated, for showing due times; None without
        one (or in remote mode). PlanError when it does not read."""
        if self.server:
            return None
        from statuspage.comms.plan.where import plan_path

        path = plan_path(self.settings)
        if path is None:
            return None
        from statuspage.comms.plan.issues import Issues
        from statuspage.comms.plan.read import read_plan

        issues = Issues()
        plan = read_plan(path, issues, environ=os.environ) if path.is_file() else None
        if plan is None:
            first = issues.errors[0] if issues.errors else f"no comms plan at {path}"
            raise PlanError(
                f"the comms plan does not load: {first} (see: statuspage plan validate)"
            )
        return plan

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
        db = self.settings.db
        if not create and str(db) != ":memory:" and not db.exists():
            raise NotFound(
                f"no database at {db}; create it with `statuspage init`, or point to one "
                "with --db PATH or STATUSPAGE_DB"
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
        from statuspage.service import Service

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

        from statuspage.comms.compose.preview import DryRun

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
        from statuspage.comms.compose.preview import Options, Previewer
        from statuspage.comms.deliver.wiring import missing_settings
        from statuspage.comms.kit import LazyComms

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


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Show every message this would send, to how many, and store nothing.",
)
