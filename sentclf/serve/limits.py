"""The server's outer layer, as plain ASGI middleware (it runs before FastAPI parses anything): every
request timed and counted by endpoint and status, and every request body read in full, bounded in
size (413) and in time (408), before the application sees it, so no client can hold memory or a
worker with a huge or a slow body."""

from __future__ import annotations

import asyncio
import json
import time

from sentclf.serve.batcher import within

ENDPOINTS = frozenset({"/", "/predict", "/explain", "/info", "/health", "/metrics", "/reload", "/render"})


async def reject(send, status: int, message: str, headers: tuple = ()) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Reads a request's body (at most ``max_body`` bytes, each part within ``read_timeout``
    seconds) and hands the application the whole of it."""

    def __init__(self, app, max_body: int, read_timeout: float):
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        too_big = f"the request body is larger than {self.max_body:,} bytes: send fewer or shorter texts per request"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return await reject(send, 413, too_big)
        chunks, total = [], 0
        while True:
            try:
                message = await within(receive(), self.read_timeout)
            except asyncio.TimeoutError:
                return await reject(send, 408, f"the request body did not arrive within {self.read_timeout:g} s")
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body:
                return await reject(send, 413, too_big)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        given = False

        async def replay():
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class Measured:
    """Counts every response by endpoint and status and times it (``metrics``: a :class:`Metrics`)."""

    def __init__(self, app, metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        endpoint = scope["path"] if scope["path"] in ENDPOINTS else "other"
        status = [500]
        start = time.perf_counter()

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.requests.labels(endpoint, str(status[0])).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
