"""A static embedding table distilled from the sentence encoder: the model2vec recipe (Tulkens &
van Dongen 2024), so that a document's vector is a mean of table rows, one lookup per wordpiece,
with no network run at prediction time.

Every wordpiece of the vocabulary is passed through the encoder once, as the three-piece sentence
[SEP] w [CLS], and the mean of the last layer over those positions is its row (about what the
encoder would say of a text made of that wordpiece alone; the markers reversed, as model2vec passes
them, measured better than [CLS] w [SEP]). The rows are centred and reduced by PCA
to STATIC_DIMS columns, which drops the directions every wordpiece shares; then each row is weighted
by how rare its wordpiece is expected to be (Zipf's law on the vocabulary's order, in SIF's form
a / (a + p), Arora et al. 2017), so that mean pooling is a weighted mean that frequent pieces do
not swamp. What each step buys is measured in bench/README.md ("Static embeddings").
"""

from __future__ import annotations

import hashlib
import json
import logging

import numpy as np

from sentclf import atomic
from sentclf.errors import OutputError, VectorsError
from sentclf.paths import cache_dir

log = logging.getLogger("sentclf")
STATIC_DIMS = 256
SIF = 1e-3  # SIF's a: a wordpiece of expected probability a is weighted 0.5
# 1,024 three-wordpiece sentences a batch: 8,192 made onnxruntime's buffers peak at 1.6 GB, for no speed
BATCH_TOKENS = 3_072
WEIGHTINGS = ("zipf", "none")
RECIPE = "[SEP] w [CLS], mean"  # part of the cache key: a table made another way is another table


def wordpiece_vectors(encoder) -> np.ndarray:
    """(vocabulary, width) float32: each wordpiece's mean-pooled last layer in the sentence [SEP] w [CLS]."""
    from sentclf.classify.encoder.sentence import SentenceEncoder

    tokenizer = encoder.tokenizer
    size = encoder.weights.embeddings["word"].shape[0]
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    raw = SentenceEncoder(
        loaded=(encoder.weights, tokenizer), normalize=False, workers=encoder.workers, batch_tokens=BATCH_TOKENS
    )
    return raw.encode_ids([[sep, piece, cls] for piece in range(size)])


def reduce(vectors: np.ndarray, dims: int = STATIC_DIMS, weighting: str = "zipf") -> np.ndarray:
    """Centre, keep the top ``dims`` principal components (fewer when the vectors are narrower),
    and weight row r by SIF / (SIF + p(r)), p Zipf's 1/(r + 1) normalized (``weighting='none'``: 1)."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    table = centred @ components[: min(dims, components.shape[0])].T
    if weighting == "zipf":
        inverse_rank = 1.0 / np.arange(1, len(table) + 1)
        table *= (SIF / (SIF + inverse_rank / inverse_rank.sum()))[:, None]
    return np.ascontiguousarray(table, dtype=np.float32)


def static_table(sha256: str, encoder=None, dims: int = STATIC_DIMS, weighting: str = "zipf") -> np.ndarray:
    """The distilled table of the encoder whose weights have ``sha256``, cached on disk under it and
    the settings; on a miss, ``encoder`` (None: the installed one) runs over the vocabulary (seconds
    to a minute on 2 cores), so a cached table costs no encoder load."""
    key = hashlib.sha256(json.dumps([sha256, dims, weighting, SIF, RECIPE]).encode()).hexdigest()[:32]
    cached = cache_dir() / "static" / f"{key}.npy"
    if cached.is_file():
        try:
            table = np.load(cached, allow_pickle=False)
            if table.ndim == 2 and table.dtype == np.float32:
                return table
        except (OSError, ValueError):
            pass
        log.warning("ignoring an unreadable cache file %s", cached)
    if encoder is None:
        from sentclf.classify.encoder.sentence import SentenceEncoder

        encoder = SentenceEncoder()
    if encoder.sha256 != sha256:
        raise VectorsError(f"the encoder given is not the one asked for ({encoder.sha256[:12]}…, not {sha256[:12]}…)")
    log.info("distilling a static table from the encoder's %d wordpieces", encoder.weights.embeddings["word"].shape[0])
    table = reduce(wordpiece_vectors(encoder), dims, weighting)
    try:
        atomic.atomic_write(cached, lambda out: np.save(out, table, allow_pickle=False))
    except (OSError, OutputError) as exc:
        log.warning("could not cache the static table in %s (%s)", cached.parent, exc)
    return table
