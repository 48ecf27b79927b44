"""The HTTP contract: Hugging Face's text-classification shape, the answers equal offline predict's,
every bound answered with its status and a message, authentication, reload, metrics."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from sentclf.classify.explain import explain_text
from sentclf.classify.modelfile import load
from sentclf.classify.prediction import Scorer
from sentclf.text import tokenize_all
from tests.serve.conftest import ready

TEXTS = ["I loved it, wonderful!", "awful and boring", "", "no", "The crew was great, but I lost my bag!"]
TOKEN = "0123456789abcdef0123"


def offline(model_path, texts):
    scorer = Scorer.of(load(model_path))
    proba, labels = scorer.score_tokens(tokenize_all(texts))
    return scorer.classes, proba, labels


def test_one_text_gets_one_list_of_every_class_likeliest_first(client, trained_model):
    response = client.post("/predict", json={"inputs": TEXTS[0]})
    assert response.status_code == 200
    (scores,) = response.json()
    classes, proba, _ = offline(trained_model, TEXTS[:1])
    assert [s["label"] for s in scores] == [classes[i] for i in np.argsort(-proba[0])]
    assert [s["score"] for s in scores] == pytest.approx(sorted(proba[0], reverse=True), abs=1e-12)


def test_a_list_gets_the_answers_offline_predict_gives(client, trained_model):
    response = client.post("/predict", json={"inputs": TEXTS, "parameters": {"details": True}})
    assert response.status_code == 200
    answers = response.json()
    classes, proba, labels = offline(trained_model, TEXTS)
    assert [a["label"] for a in answers] == labels
    for answer, row in zip(answers, proba):
        assert {s["label"]: s["score"] for s in answer["scores"]} == pytest.approx(dict(zip(classes, row)), abs=1e-12)
    assert [a["empty"] for a in answers] == [False, False, True, False, False]


def test_top_k_keeps_the_likeliest(client):
    response = client.post("/predict", json={"inputs": ["great", "bad"], "parameters": {"top_k": 1}})
    assert response.status_code == 200 and all(len(scores) == 1 for scores in response.json())


def test_uncertain_and_neutral_labels_when_the_server_asks(serving):
    client = serving(min_confidence=0.999)
    answer = client.post("/predict", json={"inputs": "no", "parameters": {"details": True}}).json()[0]
    assert answer["label"] == "uncertain" and len(answer["scores"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"inputs": 3}, 422, "valid string"),
        ({"inputs": [1, 2]}, 422, "valid string"),
        ({"text": "hi"}, 422, "inputs"),
        ({"inputs": "hi", "other": 1}, 422, "Extra inputs"),
        ({"inputs": []}, 422, "holds no text"),
        ({"inputs": "hi", "parameters": {"top_k": 0}}, 422, "greater than or equal to 1"),
        ({"inputs": ["a"] * 11}, 413, "at most 10"),
        ({"inputs": ["short", "x" * 101]}, 422, "inputs[1] has 101 characters; at most 100"),
    ],
)
def test_bad_requests_get_4xx_with_a_message(serving, body, status, message):
    client = serving(max_texts=10, max_chars=100, max_queue=100)
    response = client.post("/predict", json=body)
    assert response.status_code == status and message in response.text


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"{not json", 422), (b'{"inputs": "\xff\xfe"}', 400), (b"", 422), (b"null", 422), (b"[1, 2]", 422)],
)
def test_malformed_bodies_get_4xx(client, content, status):
    response = client.post("/predict", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert client.post("/predict", json={"inputs": "still serving"}).status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(serving):
    client = serving(max_body=1000)
    big = json.dumps({"inputs": "x" * 2000})
    assert client.post("/predict", content=big, headers={"Content-Type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: the count is made as the body arrives
        for _ in range(10):
            yield b"x" * 200

    response = client.post("/predict", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "larger than 1,000 bytes" in response.json()["error"]
    assert client.post("/predict", json={"inputs": "fine"}).status_code == 200


def test_explain_is_the_explain_table(client, trained_model):
    response = client.post("/explain", json={"inputs": TEXTS[0]})
    assert response.status_code == 200
    expected = json.loads(json.dumps(explain_text(load(trained_model), TEXTS[0], "lr")))
    assert response.json() == expected
    assert client.post("/explain", json={"inputs": ["a", "b"]}).status_code == 422


def test_info_is_the_files_metadata(client, trained_model):
    from sentclf import archive

    body = client.get("/info").json()
    assert body["metadata"] == json.loads(json.dumps(archive.read_metadata(trained_model)))
    assert body["model"] == "lr" and len(body["sha256"]) == 64


def test_health_is_live_before_ready(trained_model):
    import threading

    from fastapi.testclient import TestClient

    from sentclf.classify.modelfile import ModelSource
    from sentclf.serve.app import create_app
    from sentclf.serve.serve_config import ServeConfig
    from sentclf.serve.service import Service

    release = threading.Event()

    class Slow(Service):
        def load(self):
            release.wait(10)
            return super().load()

    config = ServeConfig(model=ModelSource(str(trained_model)))
    with TestClient(create_app(config, Slow(config))) as client:
        loading = client.get("/health")
        assert loading.status_code == 503 and loading.json() == {"live": True, "ready": False, "status": "loading"}
        waiting = client.post("/predict", json={"inputs": "hi"})
        assert waiting.status_code == 503 and "still loading" in waiting.json()["error"]
        release.set()
        assert ready(client).get("/health").json()["ready"] is True


def test_a_token_guards_everything_but_health(serving):
    client = serving(token=TOKEN)
    assert client.post("/predict", json={"inputs": "hi"}).status_code == 401
    assert client.post("/predict", json={"inputs": "hi"}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/predict", json={"inputs": "hi"}, headers=good).status_code == 200
    assert client.get("/info").status_code == 401 and client.get("/info", headers=good).status_code == 200
    assert client.get("/health").status_code == 200


def test_reload_needs_a_token_and_a_bad_file_leaves_the_old_model(
    serving, trained_model, trained_model_3class, tmp_path
):
    served = tmp_path / "served.sentclf"
    shutil.copy(trained_model, served)
    assert serving(model=served).post("/reload").status_code == 403  # no token: no reload over HTTP
    client = serving(model=served, token=TOKEN)
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/reload").status_code == 401
    before = client.get("/info", headers=good).json()["sha256"]
    served.write_bytes(b"not a model")
    bad = client.post("/reload", headers=good)
    assert bad.status_code == 422 and "the old one keeps serving" in bad.json()["error"]
    assert client.get("/info", headers=good).json()["sha256"] == before
    assert len(client.post("/predict", json={"inputs": "hi"}, headers=good).json()[0]) == 2  # still two classes
    shutil.copy(trained_model_3class, served)
    swapped = client.post("/reload", headers=good)
    assert swapped.status_code == 200 and swapped.json()["sha256"] != before
    assert len(client.post("/predict", json={"inputs": "hi"}, headers=good).json()[0]) == 3


def test_metrics_count_requests_batches_and_the_queue(client):
    client.post("/predict", json={"inputs": ["a", "b", "c"]})
    client.post("/predict", json={"inputs": 3})
    body = client.get("/metrics").text
    assert 'sentclf_requests_total{endpoint="/predict",status="200"} 1.0' in body
    assert 'sentclf_requests_total{endpoint="/predict",status="422"} 1.0' in body
    assert "sentclf_batch_texts_sum 3.0" in body and "sentclf_queue_texts 0.0" in body
    assert 'sentclf_request_seconds_bucket{endpoint="/predict",le="0.005"}' in body
    assert "sentclf_ready 1.0" in body


def test_openapi_documents_the_contract(client):
    schema = client.get("/openapi.json").json()
    assert {"/predict", "/explain", "/info", "/health", "/metrics", "/reload"} <= set(schema["paths"])
    body = schema["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/PredictRequest")
    assert client.get("/docs").status_code == 200


def test_predict_answers_errors_in_fastapis_shape(client):
    """POST /predict is served by the shortcut past FastAPI's routing: its errors keep FastAPI's
    shape (a ``detail`` list located in the body), so a client written against the route reads them."""
    response = client.post("/predict", json={"inputs": 3})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "inputs"]
    assert response.json()["error"].startswith("inputs.str: Input should be a valid string")
    broken = client.post("/predict", content=b'{"inputs": "\xff"}', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "not UTF-8 (byte 12)" in broken.json()["error"]
    assert client.get("/predict").status_code == 405  # other methods still reach the router


def test_the_page_renders_a_shared_link_and_escapes_it(client, trained_model):
    hostile = '<script>alert("x")</script> I loved it'
    page = client.get("/", params={"text": hostile}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert page.count("<script>") == 1  # the page's own
    assert 'data-label="' in page and "data-contribution" in page
    empty = client.get("/").text
    assert 'data-label="' not in empty and '<textarea id="text"' in empty


def test_the_page_asks_for_the_token_when_there_is_one(serving):
    page = serving(token=TOKEN).get("/", params={"text": "I loved it"}).text
    assert 'id="token"' in page and 'data-label="' not in page  # nothing scored without the token
    assert serving(token=TOKEN).post("/render", json={"inputs": "hi"}).status_code == 401


def test_render_is_the_pages_result_for_a_text(client):
    response = client.post("/render", json={"inputs": "I loved it"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'data-label="' in response.text and "<html" not in response.text
