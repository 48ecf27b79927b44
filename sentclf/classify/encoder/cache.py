"""Vectors cached on disk: one SQLite file per use under ``$SENTCLF_CACHE``, keyed by the model that
made them and the text's digest. Encoding is the expensive step of every model with the ``encoder``
block, so cross-validation encodes each document once, not once per fold and model; ``distill``
keeps its teacher's probabilities the same way (:func:`teacher_cache`), so that a second student of
the same teacher, or a run that was stopped, does not label the same texts again. Concurrent readers
and writers are fine (SQLite's own locking); a broken cache is skipped with a warning."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np

from sentclf.classify.encoder.weights import MAX_TOKENS
from sentclf.paths import cache_dir

log = logging.getLogger("sentclf")
LOOKUP_CHUNK = 500  # SQLite binds at most 999 parameters per statement


def default_cache(model_sha256: str, reading: str = "sentences") -> EncodingCache:
    # the reading of long texts is part of the key: texts over 256 wordpieces were once truncated,
    # then read in windows ("windows256", the key of those vectors), now sentence by sentence
    return EncodingCache(cache_dir() / "encodings" / "minilm.sqlite", f"{model_sha256[:16]}:{reading}{MAX_TOKENS}")


def teacher_cache(teacher_sha256: str, use: str) -> EncodingCache:
    """A teacher's probabilities (float64, as the student's targets take them), by the sha256 of its
    model file and the model in it that labels (``use``)."""
    path = cache_dir() / "teacher" / "probabilities.sqlite"
    return EncodingCache(path, f"{teacher_sha256[:16]}:{use}", np.float64, holds="the teacher's probabilities")


class EncodingCache:
    """Vectors by (``model``: what made them, text digest) in one SQLite file, stored as ``dtype``;
    ``holds`` names them in warnings."""

    def __init__(self, path: Path, model: str, dtype=np.float32, holds: str = "encodings"):
        self.path, self.model, self.dtype, self.holds = path, model, np.dtype(dtype), holds

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, text BLOB, vector BLOB, PRIMARY KEY (model, text))"
        )
        return connection

    def get(self, keys: list) -> dict:
        """{key: vector} of the keys found; an unreadable cache finds nothing (with a warning)."""
        found: dict = {}
        try:
            with closing(self._connect()) as connection:
                for start in range(0, len(keys), LOOKUP_CHUNK):
                    chunk = keys[start : start + LOOKUP_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = connection.execute(
                        f"SELECT text, vector FROM vectors WHERE model = ? AND text IN ({marks})", [self.model, *chunk]
                    )
                    found.update((text, np.frombuffer(vector, dtype=self.dtype)) for text, vector in rows)
        except (sqlite3.Error, OSError) as exc:
            log.warning("ignoring the cache of %s %s (%s): delete it if this repeats", self.holds, self.path, exc)
            return {}
        return found

    def put(self, items: dict) -> None:
        """Store {key: vector}; a cache that cannot be written is skipped (with a warning)."""
        try:
            with closing(self._connect()) as connection, connection:
                connection.executemany(
                    "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                    [
                        (self.model, key, np.asarray(vector, dtype=self.dtype).tobytes())
                        for key, vector in items.items()
                    ],
                )
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not cache %s in %s (%s)", self.holds, self.path, exc)
