"""Fixtures the classifier's tests share."""

from __future__ import annotations

import pytest

from tests.classify.encoder.test_encoder import make_fake_bert


@pytest.fixture
def bert(tmp_path, monkeypatch):
    """A tiny random BERT of the real layout (width 16, 2 layers) installed as the MiniLM package,
    with a scratch cache."""
    folder = make_fake_bert(tmp_path / "bert", width=16, heads=2, layers=2)
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(folder))
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    return folder
