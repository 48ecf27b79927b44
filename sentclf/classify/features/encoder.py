"""The ``encoder`` feature block: contextual sentence vectors from all-MiniLM-L6-v2
(:mod:`sentclf.classify.encoder`), one 384-dimensional vector per document.

Encoding is the expensive step, so vectors are cached on disk (an SQLite file under
``$SENTCLF_CACHE/encodings``), keyed by the model's sha256 and the text's: cross-validation encodes
each document once, not once per fold and model. The network itself is never pickled into a model
file: the file records the model's sha256, and loading it checks the installed model against it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.encoder import MAX_TOKENS, SentenceEncoder
from sentclf.errors import VectorsError
from sentclf.paths import cache_dir

log = logging.getLogger("sentclf")
LOOKUP_CHUNK = 500  # SQLite binds at most 999 parameters per statement


def build(context):
    """The block for the registry."""
    return SentenceVectors(encoder=context.encoder)


def document_text(doc) -> str:
    """What the encoder reads: a raw string, or sentclf's tokens joined by spaces (WordPiece splits
    punctuation and lower-cases either way, so the two give the same pieces)."""
    return doc if isinstance(doc, str) else " ".join(doc)


class EncodingCache:
    """Vectors by (model sha256, text sha256) in one SQLite file; concurrent readers and writers are fine."""

    def __init__(self, path: Path, model_sha256: str):
        # the reading scheme is part of the key: texts over 256 wordpieces were once truncated
        self.path, self.model = path, f"{model_sha256[:16]}:windows{MAX_TOKENS}"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, text BLOB, vector BLOB, PRIMARY KEY (model, text))"
        )
        return connection

    def get(self, keys: list) -> dict:
        found: dict = {}
        with closing(self._connect()) as connection:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start : start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT text, vector FROM vectors WHERE model = ? AND text IN ({marks})", [self.model, *chunk]
                )
                found.update((text, np.frombuffer(vector, dtype=np.float32)) for text, vector in rows)
        return found

    def put(self, items: dict) -> None:
        with closing(self._connect()) as connection, connection:
            connection.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                [(self.model, key, vector.astype(np.float32).tobytes()) for key, vector in items.items()],
            )


class SentenceVectors(BaseEstimator, TransformerMixin):
    """Documents in, their all-MiniLM-L6-v2 vectors out. ``encoder`` may be a loaded SentenceEncoder
    shared between pipelines; otherwise one is loaded on first use. ``cache=False`` skips the disk;
    ``cache="read"`` looks vectors up but stores none (``predict``: scoring a hundred million new
    reviews must not grow the cache by 1.5 kB each)."""

    def __init__(self, encoder=None, cache=True):
        self.encoder = encoder
        self.cache = cache

    def _encoder(self) -> SentenceEncoder:
        if self.encoder is None:
            self.encoder = SentenceEncoder()
        return self.encoder

    def fit(self, X, y=None):
        encoder = self._encoder()
        self.model_sha256_ = encoder.sha256
        self.n_features_out_ = encoder.width
        return self

    def transform(self, X):
        check_is_fitted(self, "model_sha256_")
        encoder = self._encoder()
        if encoder.sha256 != self.model_sha256_:
            raise VectorsError(
                f"the installed all-MiniLM-L6-v2 (sha256 {encoder.sha256[:12]}…) is not the one this model was "
                f"trained with ({self.model_sha256_[:12]}…): reinstall that version, or retrain"
            )
        texts = [document_text(doc) for doc in X]
        keys = [hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest() for text in texts]
        store = EncodingCache(cache_dir() / "encodings" / "minilm.sqlite", self.model_sha256_) if self.cache else None
        known = self._lookup(store, keys)
        missing = sorted({key: i for i, key in enumerate(keys) if key not in known}.values())
        if missing:
            if len(missing) >= 1000:
                log.info("encoding %d document(s) with all-MiniLM-L6-v2 (%s)", len(missing), encoder.backend)
            vectors = encoder.encode([texts[i] for i in missing])
            new = {keys[i]: vector for i, vector in zip(missing, vectors)}
            known.update(new)
            if self.cache != "read":
                self._store(store, new)
        return np.vstack([known[key] for key in keys]) if keys else np.zeros((0, self.n_features_out_), np.float32)

    @staticmethod
    def _lookup(store, keys: list) -> dict:
        if store is None:
            return {}
        try:
            return store.get(keys)
        except sqlite3.Error as exc:
            log.warning("ignoring the encoding cache %s (%s)", store.path, exc)
            return {}

    @staticmethod
    def _store(store, items: dict) -> None:
        if store is None:
            return
        try:
            store.put(items)
        except sqlite3.Error as exc:
            log.warning("could not cache encodings in %s (%s)", store.path, exc)

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"enc_{i}" for i in range(self.n_features_out_)], dtype=object)

    def __getstate__(self):  # the network stays out of model files: it is loaded from the installed package
        return {**self.__dict__, "encoder": None}
