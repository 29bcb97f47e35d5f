"""Self-service subscriptions on the public site: subscribe, confirm, manage, unsubscribe.

Dynamic routes (the published page is served before them, from memory): HTML forms that
work without JavaScript, and the same endpoints in JSON (send `Content-Type:
application/json`; a GET asks with `Accept: application/json`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from statuspage.subscribe.confirm import confirm_page, confirm_post
from statuspage.subscribe.manage import (
    manage_page,
    manage_post,
    unsubscribe_page,
    unsubscribe_post,
)
from statuspage.subscribe.public import subscribe_page, subscribe_post
from statuspage.subscribe.site import Offer, make_offer

routes: list[BaseRoute] = [
    Route("/subscribe", subscribe_page, methods=["GET"]),
    Route("/subscribe", subscribe_post, methods=["POST"]),
    Route("/subscriptions/confirm", confirm_page, methods=["GET"]),
    Route("/subscriptions/confirm", confirm_post, methods=["POST"]),
    Route("/subscriptions/manage", manage_page, methods=["GET"]),
    Route("/subscriptions/manage", manage_post, methods=["POST"]),
    Route("/subscriptions/unsubscribe", unsubscribe_page, methods=["GET"]),
    Route("/subscriptions/unsubscribe", unsubscribe_post, methods=["POST"]),
]

__all__ = ["Offer", "make_offer", "routes"]
