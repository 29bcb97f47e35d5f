"""Files shipped inside the package: page templates, static files, comms plans, locale catalogs.

They are package data (statuspage/templates, statuspage/static, statuspage/comms_plans,
statuspage/locale), found through importlib.resources, so a wheel installed anywhere has them;
nothing is read relative to a source checkout.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

# as_file() hands out the installed file itself in a regular install; where the package is
# zipped it extracts a copy, which must outlive the call: the copies go when the process exits.
_extracted = ExitStack()
atexit.register(_extracted.close)


@cache
def resource(*parts: str) -> Path:
    """A shipped file or directory as a filesystem path (Jinja, Babel and the plan loader
    read paths), e.g. resource("comms_plans", "default.yaml")."""
    found = files("statuspage")
    for part in parts:
        found = found / part
    return _extracted.enter_context(as_file(found)).resolve()


TEMPLATES = resource("templates")
COMMS_TEMPLATES = TEMPLATES / "comms"
STATIC = resource("static")
LOCALES = resource("locale")
PLANS = resource("comms_plans")
DEFAULT_PLAN = PLANS / "default.yaml"
EXAMPLE_RULES = resource("automation_rules", "example.yaml")


def example_plans() -> dict[str, Path]:
    """The shipped plans by name: default, and each of comms_plans/examples (small-team, ...)."""
    found = {DEFAULT_PLAN.stem: DEFAULT_PLAN}
    for path in sorted((PLANS / "examples").glob("*.yaml")):
        found[path.stem] = path
    return found
