"""The human-readable page (a plain listing until the full page lands)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from statuspage.model import page_status
from statuspage.service import Service

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Environment(
    loader=FileSystemLoader(ROOT / "templates"), autoescape=select_autoescape(default=True)
)


async def home(request: Request) -> HTMLResponse:
    service: Service = request.app.state.service
    page, components = await service.page(), await service.list_components()
    open_incidents = await service.list_incidents(open_only=True, kind=None)
    html = TEMPLATES.get_template("plain.html").render(
        page=page,
        components=components,
        incidents=open_incidents,
        status=page_status(components, open_incidents),
    )
    return HTMLResponse(html)


routes = [Route("/", home)]
