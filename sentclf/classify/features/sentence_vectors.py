"""The ``encoder`` feature block: contextual sentence vectors from all-MiniLM-L6-v2
(:mod:`sentclf.classify.encoder`), one 384-dimensional vector per document.

Vectors are looked up in the on-disk cache (:mod:`sentclf.classify.encoder.cache`) before anything
is encoded. Only fitting stores new ones (``fit_transform``: the training documents, which
cross-validation and stacking meet again); ``transform``, which is what ``predict`` runs, reads the
cache but never adds to it, so scoring a hundred million new reviews does not grow it by 1.5 kB
each. :func:`encode_all` fills the cache for a whole dataset at once, with a progress bar, before
``train`` and ``compare`` fit anything. The network itself is never pickled into a model file: the
file records the model's sha256, and loading it checks the installed model against it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.encoder.cache import default_cache
from sentclf.classify.encoder.sentence import READINGS, SentenceEncoder
from sentclf.classify.features.tags import text_input_tags
from sentclf.errors import VectorsError

log = logging.getLogger("sentclf")
LOG_MIN_DOCUMENTS = 1000  # encoding this many documents or more says so


def build(context):
    """The block for the registry."""
    return SentenceVectors(encoder=context.encoder)


def document_text(doc) -> str:
    """What the encoder reads: a raw string, or sentclf's tokens joined by spaces (WordPiece splits
    punctuation and lower-cases either way, so the two give the same pieces)."""
    return doc if isinstance(doc, str) else " ".join(doc)


def encode_all(encoder: SentenceEncoder, documents) -> None:
    """Encode every document the cache lacks and store it: ``train`` and ``compare`` call this once
    before fitting, so that every fold (in any process) reads the cache."""
    SentenceVectors(encoder=encoder).fit_transform(list(documents))


class SentenceVectors(TransformerMixin, BaseEstimator):
    """Documents (raw strings or token lists) in, their all-MiniLM-L6-v2 vectors out.

    ``encoder``: a loaded :class:`SentenceEncoder` shared between pipelines, or None to load the
    installed model when fitting. ``cache``: look vectors up on disk (and store the training
    documents' when fitting); False computes every vector. ``reading``: how a text over 256
    wordpieces is read (:meth:`SentenceEncoder.windows`); model files from before it existed read in
    windows, as they were trained."""

    _parameter_constraints: ClassVar[dict] = {
        "encoder": [None, HasMethods(["encode"])],
        "cache": ["boolean"],
        "reading": [StrOptions(set(READINGS))],
    }

    def __init__(self, encoder=None, cache=True, reading="sentences"):
        self.encoder = encoder
        self.cache = cache
        self.reading = reading

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def fit(self, X, y=None):
        self._validate_params()
        self.encoder_ = self.encoder if self.encoder is not None else SentenceEncoder()
        self.model_sha256_ = self.encoder_.sha256
        self.n_features_out_ = self.encoder_.width
        return self

    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y)._vectors(X, store=self.cache)

    def transform(self, X):
        check_is_fitted(self, "model_sha256_")
        return self._vectors(X, store=False)

    def _network(self) -> SentenceEncoder:
        if self.encoder_ is None:  # a model file keeps no network: load the installed one once
            self.encoder_ = SentenceEncoder()
        if self.encoder_.sha256 != self.model_sha256_:
            raise VectorsError(
                f"the installed all-MiniLM-L6-v2 (sha256 {self.encoder_.sha256[:12]}…) is not the one this model was "
                f"trained with ({self.model_sha256_[:12]}…): reinstall that version, or retrain"
            )
        return self.encoder_

    def _vectors(self, X, store: bool) -> np.ndarray:
        encoder = self._network()
        texts = [document_text(doc) for doc in X]
        keys = [hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest() for text in texts]
        cache = default_cache(self.model_sha256_, self.reading) if self.cache else None
        known = cache.get(keys) if cache is not None else {}
        missing = sorted({key: i for i, key in enumerate(keys) if key not in known}.values())
        if missing:
            if len(missing) >= LOG_MIN_DOCUMENTS:
                log.info("encoding %d document(s) with all-MiniLM-L6-v2 (%s)", len(missing), encoder.backend)
            new = dict(zip((keys[i] for i in missing), encoder.encode([texts[i] for i in missing], self.reading)))
            known.update(new)
            if store and cache is not None:
                cache.put(new)
        return np.vstack([known[key] for key in keys]) if keys else np.zeros((0, self.n_features_out_), np.float32)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "model_sha256_")
        return np.asarray([f"enc_{i}" for i in range(self.n_features_out_)], dtype=object)

    def __getstate__(self):  # the network stays out of model files: it is loaded from the installed package
        return {**self.__dict__, "encoder": None, "encoder_": None}

    def __setstate__(self, state):  # files from before encoder_ existed hold the parameter alone
        self.__dict__.update({"encoder_": None, "reading": "windows", **state})
        if self.cache == "read":  # an old run-time setting, never meant to be saved
            self.cache = True
