"""The static table distilled from the sentence encoder (``--embeddings minilm-static``): each row
the encoder's vector of its wordpiece alone, PCA, Zipf weighting, the disk cache, and the CLI."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from sentclf.classify.encoder import static
from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.cli import cli
from sentclf.errors import VectorsError


def test_each_row_is_what_the_encoder_says_of_its_wordpiece_between_the_markers(bert):
    encoder = SentenceEncoder()
    rows = static.wordpiece_vectors(encoder)
    assert rows.shape == (10, 16)
    raw = SentenceEncoder(normalize=False)
    for piece in (0, 4, 9):  # [PAD], "good", "not"
        np.testing.assert_allclose(rows[piece], raw.encode_ids([[3, piece, 2]])[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(rows[4], rows[6])


def test_pca_keeps_the_widest_directions_and_zipf_weights_frequent_pieces_down():
    rng = np.random.default_rng(0)
    vectors = (rng.normal(size=(500, 6)) * [5, 3, 1, 0.5, 0.2, 0.1] + 7).astype(np.float32)
    plain = static.reduce(vectors, dims=3, weighting="none")
    assert plain.shape == (500, 3) and plain.dtype == np.float32
    np.testing.assert_allclose(plain.mean(axis=0), 0, atol=1e-4)
    spread = plain.std(axis=0)
    assert spread[0] > spread[1] > spread[2] and abs(spread[0] - 5) < 0.5
    np.testing.assert_allclose(np.corrcoef(plain.T), np.eye(3), atol=1e-6)
    assert static.reduce(vectors, dims=300, weighting="none").shape == (500, 6)  # never wider than the vectors
    weighted = static.reduce(vectors, dims=3)
    scale = np.linalg.norm(weighted, axis=1) / np.linalg.norm(plain, axis=1)
    assert np.all(np.diff(scale) > 0) and scale[0] < 0.01 and scale[-1] > 0.7  # row 0: the most frequent


def test_the_table_is_cached_under_the_encoders_sha256(bert, monkeypatch):
    encoder = SentenceEncoder()
    first = static.static_table(encoder.sha256, encoder, dims=8)
    assert first.shape == (10, 8)

    def no_encoder(*args, **kwargs):
        raise AssertionError("the cached table should not run the encoder")

    monkeypatch.setattr(static, "wordpiece_vectors", no_encoder)
    np.testing.assert_array_equal(static.static_table(encoder.sha256, dims=8), first)
    with pytest.raises(VectorsError, match="not the one asked for"):
        static.static_table("0" * 64, encoder, dims=8)


@pytest.mark.parametrize("source", ["minilm-static", "minilm"])
def test_a_model_on_a_wordpiece_table_saves_loads_and_predicts_from_the_cli(bert, tmp_path, monkeypatch, source):
    """The file keeps the tokenizer as JSON text: the restricted unpickler admits no tokenizers
    object, and the model scores with no MiniLM package installed."""
    data = tmp_path / "toy.csv"
    rows = ["text,label"] + [f"good great movie {i},positive" for i in range(12)]
    rows += [f"bad not good movie {i},negative" for i in range(12)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = str(tmp_path / "m.sentclf")
    args = ["train", str(data), "--model", "lr", "--embeddings", source, "--pool", "mean", "-o", model]
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(tmp_path / "no-such-model"))
    result = CliRunner().invoke(cli, ["predict", "-m", model, "-", "--jsonl"], input="great good movie\nbad not good\n")
    assert result.exit_code == 0, result.output
    labels = [line.split('"label": "')[1].split('"')[0] for line in result.stdout.splitlines()]
    assert len(labels) == 2 and set(labels) <= {"positive", "negative"}
    info = CliRunner().invoke(cli, ["info", model])
    assert info.exit_code == 0 and source in info.stdout
