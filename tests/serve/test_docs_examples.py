"""The serving guide's and the README's curl examples are requests the server answers as shown."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def curl_lines(page: Path) -> list:
    blocks = re.findall(r"```sh\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    return [line.split("  #")[0] for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def request_of(line: str) -> tuple:
    """(path, JSON body) of a `curl -s localhost:PORT/PATH -H ... -d 'BODY'` line."""
    words = shlex.split(line)
    url = next(w for w in words if w.startswith("localhost:"))
    return "/" + url.split("/", 1)[1], json.loads(words[words.index("-d") + 1])


@pytest.fixture(scope="module")
def reviews_model(tmp_path_factory):
    from sentclf.classify.config import TrainConfig
    from sentclf.classify.training import train
    from sentclf.data.source import DataConfig

    path = tmp_path_factory.mktemp("reviews") / "reviews.sentclf"
    train(TrainConfig(data=DataConfig(str(ROOT / "docs" / "reviews-labelled.csv")), output=str(path)))
    return path


@pytest.mark.parametrize("page", [ROOT / "docs" / "serving.md", ROOT / "README.md"], ids=lambda p: p.name)
def test_every_curl_example_is_answered(serving, reviews_model, page):
    client = serving(model=reviews_model)
    lines = curl_lines(page)
    assert lines, f"{page.name} shows no curl example"
    for line in lines:
        path, body = request_of(line)
        response = client.post(path, json=body)
        assert response.status_code == 200, f"{line}: {response.text}"
        answers = response.json()
        texts = [body["inputs"]] if isinstance(body["inputs"], str) else body["inputs"]
        assert len(answers) == len(texts)


def test_the_first_example_answers_in_the_shape_shown(serving, reviews_model):
    page = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    shown = json.loads(re.search(r"```json\n(.*?)```", page, re.S).group(1))
    path, body = request_of(curl_lines(ROOT / "docs" / "serving.md")[0])
    answer = serving(model=reviews_model).post(path, json=body).json()
    assert [[s["label"] for s in scores] for scores in answer] == [[s["label"] for s in scores] for scores in shown]
