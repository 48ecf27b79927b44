"""Shared fixtures: tiny data files we wrote (tests/fixtures) and one small trained model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sentclf.classify.config import TrainConfig
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.training import train
from sentclf.data.source import DataConfig

FIXTURES = Path(__file__).parent / "fixtures"

# Jurafsky & Martin's worked example (SLP 3rd ed., ch. 5), quoted for the golden tests.
TEXTBOOK_REVIEW = (
    "It's hokey. There are virtually no surprises, and the writing is second-rate. So why was it so "
    "enjoyable? For one thing, the cast is great. Another nice touch is the music. I was overcome with "
    "the urge to get off the couch and start dancing. It sucked me in, and it'll do the same to you."
)


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path, tmp_path_factory, monkeypatch):
    """No test ever reads or writes the user's real default model or vectors cache."""
    monkeypatch.setenv("SENTCLF_MODEL", str(tmp_path / "default-model.sentclf"))
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("SENTCLF_MINILM_DIR", raising=False)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def lecture_lexicon():
    """The lecture's lexicon: {great, nice, enjoyable} / {hokey, second-rate}, built-in pronouns."""
    return load_lexicon(lexicon_dir=FIXTURES / "lexicon_dir")


def _train_on(tmp_path_factory, fixture_name: str) -> Path:
    path = tmp_path_factory.mktemp("model") / f"{Path(fixture_name).stem}.sentclf"
    train(TrainConfig(data=DataConfig(str(FIXTURES / fixture_name)), test_size=0.25, output=str(path)))
    return path


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> Path:
    """Both models trained on the 24-line binary fixture (read-only: copy before changing it)."""
    return _train_on(tmp_path_factory, "tiny.csv")


@pytest.fixture(scope="session")
def trained_model_3class(tmp_path_factory) -> Path:
    """Both models trained on the 24-line three-class fixture."""
    return _train_on(tmp_path_factory, "three_class.jsonl")


@pytest.fixture
def model_copy(trained_model, tmp_path) -> Path:
    target = tmp_path / "copy.sentclf"
    shutil.copy(trained_model, target)
    return target
