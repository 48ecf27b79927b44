"""``POST /predict`` handed straight to its handler, as plain ASGI.

The framework's per-request work (matching the path against every route, resolving dependencies,
wrapping the request) is a third of what a one-text prediction costs the server, and a prediction
is the request that arrives by the thousand. This layer sits inside :class:`~.limits.BodyLimit`
(so the body is already whole and bounded) and gives ``POST /predict`` to the same function the
FastAPI route calls, with the same validation (the route's pydantic model), the same errors and
the same answers; the route itself stays what OpenAPI describes and what every other request
reaches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable


class Shortcut:
    """Requests for ``method path`` go to ``handle(body, headers) -> Response``; the rest go on."""

    def __init__(self, app, path: str, method: str, handle: Callable[[bytes, dict], Awaitable]):
        self.app = app
        self.path = path
        self.method = method
        self.handle = handle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != self.method:
            return await self.app(scope, receive, send)
        message = await receive()  # BodyLimit hands over the whole body in one message
        if message["type"] == "http.disconnect":
            return None
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        response = await self.handle(message.get("body", b""), headers)
        return await response(scope, receive, send)
