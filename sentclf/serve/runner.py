"""Run the application under uvicorn until SIGTERM or SIGINT, which drain: uvicorn stops accepting,
the requests in flight are answered (the batcher scores what it holds), then the process exits.
SIGHUP reloads the model."""

from __future__ import annotations

import logging

from sentclf.errors import ConfigError
from sentclf.serve.serve_config import ServeConfig

log = logging.getLogger("sentclf")
MAX_CONNECTIONS = 2048  # beyond this uvicorn answers 503 at once instead of accepting more
DRAIN_SECONDS = 30


def check_installed() -> None:
    try:
        import fastapi  # noqa: F401
        import prometheus_client  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            f"serve needs the serve extra ({error.name} is missing): pip install 'sentclf[serve]'"
        ) from None


def serve(config: ServeConfig, on_listen=None) -> None:
    """Serve until stopped. ``on_listen(host, port)`` is called once the socket is bound."""
    check_installed()
    import uvicorn

    from sentclf.serve.app import create_app
    from sentclf.serve.service import Service

    config.validate()
    # One BLAS thread: the event loop needs the other core, and a batch of a few dozen texts is
    # slower split over threads that spin waiting for work (the ONNX encoder keeps its own pool)
    import numpy  # noqa: F401  (loaded first: threadpoolctl limits the BLAS libraries already loaded)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    service = Service(config)
    service.check()
    if config.is_public() and config.token is None:
        log.warning("listening on %s without a bearer token: anyone who can reach it can use it", config.host)
    app = create_app(config, service, signals=True)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            log_level="warning",
            access_log=False,
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=DRAIN_SECONDS,
            timeout_keep_alive=5,
            server_header=False,
        )
    )
    if on_listen is not None:
        started = server.startup

        async def startup(sockets=None):
            await started(sockets)
            for listener in server.servers:
                for sock in listener.sockets:
                    host, port = sock.getsockname()[:2]
                    on_listen(host, port)
                    return

        server.startup = startup  # type: ignore[method-assign]
    server.run()
