"""Resources ship inside the package and are found through importlib.resources, not the checkout."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import statuspage
from statuspage.comms.kit import plan_path
from statuspage.comms.plan.read import SHIPPED_TEMPLATES
from statuspage.config import load_settings
from statuspage.resources import (
    COMMS_TEMPLATES,
    DEFAULT_PLAN,
    LOCALES,
    PLANS,
    STATIC,
    TEMPLATES,
    example_plans,
    resource,
)
from statuspage.site.documents.wellknown import static_docs
from statuspage.site.render import Renderer, asset_urls

PACKAGE = Path(statuspage.__file__).resolve().parent


def test_every_resource_directory_is_inside_the_installed_package() -> None:
    root = Path(str(files("statuspage"))).resolve()
    assert root == PACKAGE
    for directory in (TEMPLATES, COMMS_TEMPLATES, STATIC, LOCALES, PLANS):
        assert directory.is_dir() and directory.is_relative_to(PACKAGE), directory
    assert resource("templates", "home.html") == TEMPLATES / "home.html"
    assert (TEMPLATES / "home.html").is_file()
    assert (COMMS_TEMPLATES / "en" / "sms" / "declared.txt").is_file()
    assert (STATIC / "style.css").is_file()
    assert (LOCALES / "messages.pot").is_file()
    assert DEFAULT_PLAN == PLANS / "default.yaml" and DEFAULT_PLAN.is_file()


def test_the_page_renderer_and_the_static_files_use_the_package_resources() -> None:
    renderer = Renderer()
    assert renderer.env.get_template("home.html").filename == str(TEMPLATES / "home.html")
    assert dict(asset_urls())["style.css"].startswith("/static/style.css?v=")
    served = {doc.path: doc.render() for doc in static_docs()}
    assert served["/static/style.css"] == (STATIC / "style.css").read_bytes()


def test_the_shipped_comms_plan_and_templates_are_the_defaults() -> None:
    assert SHIPPED_TEMPLATES == COMMS_TEMPLATES
    assert plan_path(load_settings({})) == DEFAULT_PLAN
    assert example_plans() == {
        "default": DEFAULT_PLAN,
        "small-team": PLANS / "examples" / "small-team.yaml",
    }


def test_no_module_of_the_package_finds_files_relative_to_its_own_source() -> None:
    """Paths built from __file__ point into a checkout; a wheel has only the package."""
    found = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"__file__|\bparents?\[|\.parent\.parent", path.read_text(encoding="utf-8"))
    ]
    assert found == []
