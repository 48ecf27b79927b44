"""The HTTP application: Hugging Face's text-classification contract at ``POST /predict``, the
explain table at ``POST /explain``, the model's metadata at ``GET /info``, liveness and readiness at
``GET /health``, Prometheus at ``GET /metrics``, an authenticated ``POST /reload``, the page at ``/``
and OpenAPI at ``/docs``. Texts of concurrent requests are scored together (:mod:`.batcher`)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Sequence
from html import escape
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from sentclf.serve.batcher import MicroBatcher, Overloaded, Stopped, within
from sentclf.serve.limits import BodyLimit, Measured
from sentclf.serve.metrics import Metrics
from sentclf.serve.page import page, result_fragment
from sentclf.serve.serve_config import ServeConfig
from sentclf.serve.service import NotReady, Service
from sentclf.serve.shortcut import Shortcut

log = logging.getLogger("sentclf")


class Parameters(BaseModel):
    """``top_k``: the k likeliest classes per text (default: every class, likeliest first);
    ``details``: sentclf's own answer per text instead of the bare list: the label it decides (which
    may be 'uncertain' or 'neutral' when the server was started with --min-confidence or
    --neutral-band), every class's score, and whether the text had no words."""

    model_config = ConfigDict(extra="ignore")
    top_k: int | None = Field(default=None, ge=1)
    details: bool = False


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inputs: StrictStr | list[StrictStr] = Field(description="One text or a list of texts")
    parameters: Parameters = Field(default_factory=Parameters)


class ExplainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inputs: StrictStr = Field(description="The text to explain")


class Score(BaseModel):
    label: str
    score: float


class Problem(Exception):
    """An answer other than 200: its status, message and headers."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def plain(value: Any):
    """json.dumps' fallback for numpy scalars and arrays in explanations."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def create_app(config: ServeConfig, service: Service | None = None, signals: bool = False) -> Any:
    """The ASGI application. ``signals``: SIGHUP reloads the model (when it runs in the main thread,
    as under ``sentclf serve``)."""
    config.validate()
    service = service or Service(config)
    batcher = MicroBatcher(service.score, config.max_batch, config.max_wait_ms / 1000, config.max_queue)
    metrics = Metrics.create(lambda: batcher.waiting)
    batcher.observe = metrics.observe_batch
    explaining = asyncio.Semaphore(2)  # explanations cost many predictions each: two at a time

    async def load_in_background() -> None:
        try:
            await asyncio.to_thread(service.load)
            metrics.ready.set(1)
            log.info("ready: %s", config.model.path)
        except Exception as error:  # live but never ready: /health says why
            service.last_error = str(error)
            log.error("the model did not load: %s", error)

    async def reload_now() -> dict:
        try:
            loaded = await asyncio.to_thread(service.reload)
        except Exception as error:
            metrics.reloads.labels("failed").inc()
            raise Problem(422, f"the new model did not load, the old one keeps serving: {error}") from None
        metrics.reloads.labels("ok").inc()
        metrics.ready.set(1)
        return {"reloaded": True, "sha256": loaded.sha256, "model": loaded.scorer.kind}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        batcher.start()
        loading = asyncio.get_running_loop().create_task(load_in_background())
        if signals:
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(quiet(reload_now()))
            )
        yield
        loading.cancel()
        await batcher.stop()

    app = FastAPI(
        title="sentclf",
        summary="Sentiment predictions over HTTP (Hugging Face's text-classification contract)",
        lifespan=lifespan,
    )

    def problem_response(error: Problem) -> JSONResponse:
        return JSONResponse({"error": error.message}, error.status, headers=error.headers)

    def invalid_response(errors: Sequence) -> JSONResponse:
        """FastAPI's 422 with sentclf's one-line ``error`` beside its ``detail`` list."""
        details = jsonable_encoder(errors)
        where = lambda e: ".".join(str(part) for part in e["loc"][1:]) or "body"  # noqa: E731
        message = "; ".join(f"{where(e)}: {e['msg']}" for e in details[:3])
        return JSONResponse({"error": message, "detail": details}, 422)

    @app.exception_handler(Problem)
    async def problem(_request, error: Problem):
        return problem_response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request, error: RequestValidationError):
        return invalid_response(error.errors())

    bearer = HTTPBearer(auto_error=False, description="Needed when the server was started with --token-file")

    def check_token(given: str) -> None:
        if config.token is not None and not hmac.compare_digest(given.encode(), config.token.encode()):
            raise Problem(401, "give the bearer token: Authorization: Bearer TOKEN", {"WWW-Authenticate": "Bearer"})

    # async: FastAPI runs a plain function dependency in a worker thread, a hop per request. (The
    # annotation is Any because FastAPI resolves annotations in this module, not in create_app.)
    async def authorized(credentials: Any = Depends(bearer)) -> None:  # noqa: B008 (FastAPI idiom)
        check_token(credentials.credentials if credentials is not None else "")

    guarded = [Depends(authorized)] if config.token is not None else []  # no token: nothing to check

    async def scored(texts: list) -> list:
        if len(texts) > config.max_texts:
            raise Problem(413, f"{len(texts):,} texts in one request; at most {config.max_texts:,}: split them")
        if not texts:
            raise Problem(422, "inputs holds no text: give a text or a list of texts")
        long = next((i for i, text in enumerate(texts) if len(text) > config.max_chars), None)
        if long is not None:
            raise Problem(
                422, f"inputs[{long}] has {len(texts[long]):,} characters; at most {config.max_chars:,}: shorten it"
            )
        try:
            service.ready()
            return await within(batcher.submit(texts), config.timeout)
        except NotReady as error:
            raise Problem(503, str(error), {"Retry-After": "1"}) from None
        except Overloaded as error:
            raise Problem(429, f"too many texts waiting ({error}): retry shortly", {"Retry-After": "1"}) from None
        except Stopped as error:
            raise Problem(503, str(error), {"Retry-After": "1"}) from None
        except asyncio.TimeoutError:
            raise Problem(503, f"not scored within {config.timeout:g} s: retry later", {"Retry-After": "1"}) from None

    async def answer(request: PredictRequest) -> JSONResponse:
        texts = [request.inputs] if isinstance(request.inputs, str) else request.inputs
        results = await scored(texts)
        top_k = request.parameters.top_k
        answers = []
        for label, probabilities, empty in results:
            scores = sorted(({"label": c, "score": p} for c, p in probabilities.items()), key=lambda s: -s["score"])
            scores = scores[:top_k] if top_k else scores
            answers.append({"label": label, "scores": scores, "empty": empty} if request.parameters.details else scores)
        return JSONResponse(answers)

    # What OpenAPI describes at /predict. Requests never reach this route: the Shortcut added below
    # hands POST /predict to predict_shortcut, which checks the same token and model and answers
    # through the same answer(); the route is kept so that /docs and /openapi.json describe it.
    @app.post("/predict", dependencies=guarded, response_model=list[list[Score]] | list[dict])
    async def predict(request: PredictRequest):
        """One list of {label, score} per input, likeliest first (with ``details``: one object per
        input)."""
        return await answer(request)

    async def predict_shortcut(body: bytes, headers: dict) -> Response:
        try:
            if config.token is not None:
                scheme, _, given = headers.get("authorization", "").partition(" ")
                check_token(given if scheme.lower() == "bearer" else "")
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise Problem(400, f"the body is not UTF-8 (byte {error.start}): send JSON in UTF-8") from None
            try:
                request = PredictRequest.model_validate_json(body)
            except ValidationError as error:
                return invalid_response([{**e, "loc": ("body", *e["loc"])} for e in error.errors()])
            return await answer(request)
        except Problem as error:
            return problem_response(error)

    async def explained(work, text: str):
        await scored([text])  # the same bounds, readiness and queue as a prediction
        async with explaining:
            return await within(asyncio.to_thread(work, text), config.timeout)

    @app.post("/explain", dependencies=guarded)
    async def explain(request: ExplainRequest):
        """The explain table of ``sentclf explain``, as JSON, for the model served."""
        result = await explained(service.explain, request.inputs)
        return Response(json.dumps(result, default=plain), media_type="application/json")

    @app.get("/info", dependencies=guarded)
    async def info():
        """The model file's metadata (as ``sentclf info --json`` shows it), its sha256 and reloads."""
        try:
            return Response(json.dumps(service.info(), default=plain), media_type="application/json")
        except NotReady as error:
            raise Problem(503, str(error), {"Retry-After": "1"}) from None

    @app.get("/health")
    async def health():
        """Live once the server answers; ready (200) once the model has loaded, 503 before."""
        ready = service.current is not None
        body = {"live": True, "ready": ready, "status": "ready" if ready else "loading"}
        if service.last_error:
            body["last_error"] = service.last_error
        return JSONResponse(body, 200 if ready else 503)

    @app.get("/metrics", dependencies=guarded)
    async def scrape():
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    @app.post("/reload")
    async def reload(credentials: Any = Depends(bearer)):  # noqa: B008
        """Load the model file again from the path given at start; a bad file leaves the old model."""
        if config.token is None:
            raise Problem(403, "reload needs a bearer token: start the server with --token-file (or send SIGHUP)")
        check_token(credentials.credentials if credentials is not None else "")
        return await reload_now()

    @app.post("/render", dependencies=guarded, include_in_schema=False)
    async def render(request: ExplainRequest):
        """The page's result for a text, as an HTML fragment (the page's script asks for it)."""
        ((label, probabilities, _),) = await scored([request.inputs])
        words = await explained(service.words, request.inputs)
        return HTMLResponse(result_fragment(request.inputs, label, probabilities, words))

    @app.get("/", include_in_schema=False)
    async def home(text: str | None = None):
        shown = ""
        if text and config.token is None and service.current is not None:
            try:
                ((label, probabilities, _),) = await scored([text])
                words = await explained(service.words, text)
                shown = result_fragment(text, label, probabilities, words)
            except Problem as error:
                shown = f'<p class="error" role="alert">{escape(error.message)}</p>'
        return HTMLResponse(page(text or "", shown, config.token is not None))

    app.add_middleware(Shortcut, path="/predict", method="POST", handle=predict_shortcut)
    app.add_middleware(BodyLimit, max_body=config.max_body, read_timeout=config.read_timeout)
    app.add_middleware(Measured, metrics=metrics)
    app.state.service, app.state.batcher, app.state.metrics = service, batcher, metrics
    return app


async def quiet(work) -> None:
    with contextlib.suppress(Problem):  # the failure was logged and counted
        await work
