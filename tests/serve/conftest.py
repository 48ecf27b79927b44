"""A served model: the fixture's LR/MLP file behind the app, through FastAPI's TestClient (the
lifespan runs, so the model loads in the background as under uvicorn); ``server``: a real
`sentclf serve` process (:mod:`tests.serve.process`)."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install 'sentclf[serve]'")


def ready(client, seconds: float = 30.0):
    """Wait until /health says ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get("/health").status_code == 200:
            return client
        time.sleep(0.02)
    raise AssertionError(f"not ready within {seconds} s: {client.get('/health').json()}")


@pytest.fixture
def serving(trained_model):
    """make(**ServeConfig fields) -> a TestClient whose model has loaded."""
    from fastapi.testclient import TestClient

    from sentclf.classify.modelfile import ModelSource
    from sentclf.serve.app import create_app
    from sentclf.serve.serve_config import ServeConfig

    clients = []

    def make(model=None, **options):
        config = ServeConfig(model=ModelSource(str(model or trained_model)), **options)
        client = TestClient(create_app(config))
        client.__enter__()
        clients.append(client)
        return ready(client)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(serving):
    return serving()


@pytest.fixture
def server():
    started = []

    def start(*args):
        from tests.serve.process import Server

        started.append(Server(*args))
        return started[-1]

    yield start
    for each in started:
        each.stop()
