"""The 404 and 500 pages: documents like the others, built at publish time in the page's look.

statuspage.site.errors serves them when a request matches nothing published.
"""

from __future__ import annotations

from typing import Any

from statuspage.site.artifacts import HTML, Doc
from statuspage.site.context import BuildContext


def error_docs(ctx: BuildContext) -> tuple[Doc, Doc]:
    """The 404 and 500 pages, in the same look as the rest."""
    gettext = ctx.renderer.gettext

    def page(heading: str, message: str) -> Any:
        return lambda: ctx.render("error.html", title=heading, heading=heading, message=message)

    missing = page(
        gettext("Page not found"),
        gettext("There is nothing at this address. It may have moved, or the link is mistyped."),
    )
    broken = page(
        gettext("Something went wrong"),
        gettext("This page could not be shown. Please try again in a moment."),
    )
    return Doc("/404", HTML, missing, cache="no-store"), Doc("/500", HTML, broken, cache="no-store")
