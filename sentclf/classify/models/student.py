"""The student of a distillation: a model built to be fast at prediction, trained on a teacher's
class probabilities (``sentclf distill``).

It reads token lists and adds two parts' scores before a softmax:

- **wide**: word 1-3-grams, each weighted by its NB log-count ratio (as ``nbngrams``: Wang & Manning
  2012), the ratios counted from the targets' probability mass rather than from hard labels, into a
  linear layer. After ``fit`` the ratios and the layer are folded into one (n-grams × classes)
  table, so scoring a document is a sum of table rows: one sparse product.
- **deep**: the mean of the document's wordpieces' rows of the static table distilled from the
  sentence encoder (:mod:`sentclf.classify.encoder.static`), beside the lecture's six features, into
  one hidden ReLU layer (``hidden=0``: straight into the softmax). The table is multiplied by the
  layer's weights once after ``fit``, so a document's hidden input is a mean of rows of that
  product: a second sparse product, then one small dense one.

Both are trained together by Adam on the cross-entropy against the targets (soft targets: Hinton et
al. 2015), the n-gram rows updated lazily, only where a batch has them. Nothing at prediction time
runs the encoder, and nothing imports scikit-learn's vectorizers: a word is one dict lookup, the
n-grams are integer keys looked up in sorted arrays with numpy.
"""

from __future__ import annotations

import itertools
import math
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features.tags import text_input_tags
from sentclf.classify.models.student_runtime import (
    StudentRuntime,
    documents_of,
    mean_rows,
    ngram_columns,
    ngram_keys,
    piece_rows,
    six_features,
    word_ids,
)
from sentclf.nn.activations import softmax

MAX_ORDER = 3
MIN_STEPS = 300  # Adam updates at least, however few the texts
# epochs=None: as many passes as make about this many Adam updates (at least one pass, at most
# MAX_AUTO_EPOCHS): the best pass count falls as the texts grow (bench/README.md, "Distillation")
AUTO_STEPS = 2_000
MAX_AUTO_EPOCHS = 10
MIN_BATCH = 16
MAX_VOCABULARY = 2_000_000  # three word ids must fit one int64 key: V³ < 2⁶³
CHUNK_DOCS = 50_000  # documents whose n-gram occurrences are listed at once while fitting


def column_moments(x: np.ndarray, chunk: int = 65_536) -> tuple:
    """(mean, standard deviation) of each column, in float64, a chunk of rows at a time (no float64
    copy of the whole array)."""
    if not len(x):
        return np.zeros(x.shape[1]), np.zeros(x.shape[1])
    mean = sum(x[i : i + chunk].sum(axis=0, dtype=np.float64) for i in range(0, len(x), chunk)) / len(x)
    squares = sum(((x[i : i + chunk] - mean) ** 2).sum(axis=0) for i in range(0, len(x), chunk))
    return mean, np.sqrt(squares / len(x))


def auto_epochs(steps_per_epoch: int) -> int:
    """Passes for about AUTO_STEPS updates: at least one, at most MAX_AUTO_EPOCHS."""
    return min(MAX_AUTO_EPOCHS, max(1, round(AUTO_STEPS / max(steps_per_epoch, 1))))


class DistilledStudent(ClassifierMixin, BaseEstimator):
    """``fit(X, y, targets=None, sample_weight=None)``: X token lists, y labels, ``targets`` an
    (n, classes) array of probabilities over ``np.unique(y)`` (None: the labels one-hot). ``table``:
    a WordPieceTable (the static table and its tokenizer; None: no static part). ``lexicon``: the
    six features' word lists (None: the built-in one)."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden": [Interval(Integral, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left"), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "max_order": [Interval(Integral, 1, MAX_ORDER, closed="both")],
        "random_state": ["random_state"],
        "table": "no_validation",
        "lexicon": "no_validation",
    }

    def __init__(
        self,
        hidden=256,
        epochs=None,
        learning_rate=2e-3,
        l2=1e-6,
        batch_size=256,
        alpha=1.0,
        max_order=3,
        random_state=0,
        table=None,
        lexicon=None,
    ):
        self.hidden = hidden
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.l2 = l2
        self.batch_size = batch_size
        self.alpha = alpha
        self.max_order = max_order
        self.random_state = random_state
        self.table = table
        self.lexicon = lexicon

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__(), requires_y=True)

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, X, y, targets=None, sample_weight=None):
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import _check_sample_weight

        from sentclf.classify.features.lexicons import load_lexicon

        self._validate_params()
        if y is None:
            raise ValueError("DistilledStudent requires y to be passed, but the target y is None: give the labels")
        docs = list(X)
        labels = np.asarray(y)
        check_classification_targets(labels)
        if labels.ndim != 1 or len(labels) != len(docs):
            raise ValueError(f"y must hold one label per document: {len(docs)} documents, y of shape {labels.shape}")
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"this needs at least two classes, and the labels hold 1 class ({self.classes_[0]})")
        q = np.eye(len(self.classes_))[codes] if targets is None else np.asarray(targets, dtype=np.float64)
        if q.shape != (len(docs), len(self.classes_)) or (q < 0).any() or not np.allclose(q.sum(axis=1), 1, atol=1e-6):
            raise ValueError(f"targets must be ({len(docs)}, {len(self.classes_)}) rows of probabilities summing to 1")
        weights = _check_sample_weight(sample_weight, np.empty((len(docs), 0)), dtype=np.float64)
        lexicon = self.lexicon if self.lexicon is not None else load_lexicon()
        self._fit_vocabulary(docs, lexicon)
        ids, lengths = word_ids(docs, self.vocabulary_)
        doc_of = documents_of(lengths)
        size = len(self.vocabulary_)
        self.keys_ = [np.unique(ngram_keys(ids, doc_of, order, size)[0]) for order in range(1, self.max_order + 1)]
        self.n_ngrams_ = sum(map(len, self.keys_))
        counts = self._ngram_matrix(ids, doc_of, len(docs))
        ratios = self.ratios_ = self._ratios(counts, q)
        wide = self._scaled(counts, ratios)
        del counts
        deep = self._deep_inputs(ids, doc_of, lengths)
        del ids, doc_of
        self.deep_mean_, std = column_moments(deep)
        self.deep_scale_ = std + 1e-6
        deep -= self.deep_mean_.astype(np.float32)  # in place: the inputs of a million texts are gigabytes
        deep /= self.deep_scale_.astype(np.float32)
        params = self._train(wide, deep, q, weights)
        self.params_ = params
        self._fold(params, ratios)
        return self

    def _fit_vocabulary(self, docs: list, lexicon) -> None:
        """Every training word, the lexicon's entries and "no"/"!" (so x1..x5 are lookups), and the
        static table's whole-word wordpieces (so that common words unseen in training still get a
        vector), each with its flags for x1..x5 and its wordpieces."""
        words: dict = {}
        for doc in docs:
            for word in doc:
                words.setdefault(word, None)
        for word in (*sorted(lexicon.positive | lexicon.negative | lexicon.pronouns), "no", "!"):
            words.setdefault(word, None)
        if self.table is not None:
            for piece in self.table.words:
                if piece.isalpha() and piece.islower():
                    words.setdefault(piece, None)
        if len(words) > MAX_VOCABULARY:
            raise ValueError(f"more than {MAX_VOCABULARY:,} distinct words: too many for the student's n-gram keys")
        self.vocabulary_ = {word: i for i, word in enumerate(words)}
        vocab = list(words)
        flags = np.zeros((len(vocab), 5), np.float32)
        flags[:, 0] = [w in lexicon.positive for w in vocab]
        flags[:, 1] = [w in lexicon.negative for w in vocab]
        flags[self.vocabulary_["no"], 2] = 1
        flags[:, 3] = [w in lexicon.pronouns for w in vocab]
        flags[self.vocabulary_["!"], 4] = 1
        self.word_flags_ = flags
        if self.table is None:
            self.piece_offsets_ = np.zeros(len(vocab) + 1, np.int64)
            self.pieces_ = np.zeros(0, np.int32)
            return
        encoded = self.table.tokenizer.encode_batch(vocab, add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(vocab))
        self.piece_offsets_ = np.concatenate([[0], np.cumsum(lengths)])
        self.pieces_ = np.fromiter((p for e in encoded for p in e.ids), dtype=np.int32, count=int(lengths.sum()))

    def _ngram_matrix(self, ids: np.ndarray, doc_of: np.ndarray, n_docs: int):
        """(documents, n-grams) counts of the n-grams ``keys_`` knows, built CHUNK_DOCS documents at a
        time (one COO of every occurrence at once would take several times the matrix's memory)."""
        from scipy import sparse

        chunks = []
        bounds = np.searchsorted(doc_of, np.arange(0, n_docs + CHUNK_DOCS, CHUNK_DOCS))
        for first, (start, stop) in zip(range(0, n_docs, CHUNK_DOCS), itertools.pairwise(bounds)):
            rows, columns = ngram_columns(
                ids[start:stop], doc_of[start:stop] - first, self.keys_, len(self.vocabulary_)
            )
            shape = (min(CHUNK_DOCS, n_docs - first), self.n_ngrams_)
            part = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)), shape=shape, dtype=np.float32)
            part.sum_duplicates()
            chunks.append(part)
        if not chunks:
            return sparse.csr_matrix((n_docs, self.n_ngrams_), dtype=np.float32)
        return chunks[0] if len(chunks) == 1 else sparse.vstack(chunks, format="csr", dtype=np.float32)

    def _ratios(self, counts, q: np.ndarray) -> np.ndarray:
        """NB log-count ratios, (copies, n-grams): one for two classes (the second against the
        first), one per class against the rest otherwise; document frequencies weighted by q."""
        present = counts.copy()
        present.data[:] = 1.0
        mass = np.asarray(present.T @ q).T  # (classes, n-grams): each class's share of each n-gram's documents
        total = mass.sum(axis=0)
        targets = [1] if len(self.classes_) == 2 else range(len(self.classes_))
        out = []
        for c in targets:
            p = self.alpha + mass[c]
            r = self.alpha + (mass[0] if len(self.classes_) == 2 else total - mass[c])
            out.append(np.log((p / p.sum()) / (r / r.sum())))
        return np.asarray(out, dtype=np.float32)

    @staticmethod
    def _scaled(counts, ratios: np.ndarray):
        """The counts times each copy's ratios, the copies side by side, built as CSR directly (scipy's
        hstack goes through a COO of int64 pairs: several times the result's memory)."""
        from scipy import sparse

        k, (n_rows, n_cols) = len(ratios), counts.shape
        if k == 1:
            out = counts.copy()
            out.data *= ratios[0][counts.indices]
            return out
        lengths = np.diff(counts.indptr)
        row = np.repeat(np.arange(n_rows), lengths)
        # each entry's place in its row of the result: copy c of row i starts c·length(i) after the row's start
        place = counts.indptr[row] * (k - 1) + np.arange(counts.nnz)
        length = lengths[row]
        del row
        index_type = np.int64 if n_cols * k >= 2**31 else np.int32
        data, indices = np.empty(counts.nnz * k, np.float32), np.empty(counts.nnz * k, index_type)
        for c in range(k):
            data[place + c * length] = counts.data * ratios[c][counts.indices]
            indices[place + c * length] = counts.indices + c * n_cols
        return sparse.csr_matrix((data, indices, counts.indptr * k), shape=(n_rows, n_cols * k))

    def _deep_inputs(self, ids: np.ndarray, doc_of: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(documents, table width + 6) float32: the mean static row of each document's wordpieces, x1..x6."""
        six = six_features(ids, doc_of, lengths, self.word_flags_)
        if self.table is None:
            return six.astype(np.float32)
        width = self.table.matrix.shape[1]
        out = np.empty((len(lengths), width + six.shape[1]), np.float32)
        pieces, piece_docs = piece_rows(ids, doc_of, self.piece_offsets_, self.pieces_)
        out[:, :width] = mean_rows(self.table.matrix, pieces, piece_docs, len(lengths))
        out[:, width:] = six
        return out

    def _train(self, wide, deep: np.ndarray, q: np.ndarray, weights: np.ndarray) -> dict:
        from sentclf.nn.optimizers import Adam

        rng = np.random.default_rng(self.random_state)
        n, k = wide.shape[0], q.shape[1]
        width = deep.shape[1]
        params = {"wide": np.zeros((wide.shape[1], k), np.float32), "b2": np.zeros(k, np.float32)}
        if self.hidden:
            params["W1"] = (rng.standard_normal((width, self.hidden)) * math.sqrt(2 / width)).astype(np.float32)
            params["b1"] = np.zeros(self.hidden, np.float32)
            params["W2"] = (rng.standard_normal((self.hidden, k)) * math.sqrt(1 / self.hidden)).astype(np.float32)
        else:
            params["W2"] = np.zeros((width, k), np.float32)
        adam = Adam(params, lr=self.learning_rate)
        # few texts: smaller batches and more passes, so that even a small set gets MIN_STEPS updates
        batch_size = min(self.batch_size, max(MIN_BATCH, n // 64))
        steps_per_epoch = -(-n // batch_size)
        passes = auto_epochs(steps_per_epoch) if self.epochs is None else self.epochs
        epochs = max(passes, -(-MIN_STEPS // steps_per_epoch))
        q32, w32 = q.astype(np.float32), (weights / weights.mean()).astype(np.float32)
        self.loss_curve_ = []
        for _ in range(epochs):
            order = rng.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                total += self._step(adam, params, wide[batch], deep[batch], q32[batch], w32[batch])
            self.loss_curve_.append(total / n)
        self.n_iter_ = epochs
        return params

    def _step(self, adam, params: dict, wide, deep: np.ndarray, q: np.ndarray, w: np.ndarray) -> float:
        """One Adam step on a batch; returns the batch's summed weighted cross-entropy."""
        used = np.unique(wide.indices)  # the n-gram rows this batch has: only those move (lazy Adam)
        loss, grads = self.loss_and_grads(params, wide, deep, q, w, rows=used)
        grads["wide"] = (used, grads["wide"])
        adam.step(grads)
        return loss * len(w)

    def loss_and_grads(self, params: dict, wide, deep: np.ndarray, q: np.ndarray, w: np.ndarray, rows=None) -> tuple:
        """(mean weighted cross-entropy against q + ½·l2·‖weights‖², its gradient for each parameter;
        with ``rows``, the n-gram table's gradient for those rows only, and its penalty on them),
        by the lecture's backward pass: the softmax cross-entropy's local derivative P − Q, sent back
        through the output layer, the ReLU's 0/1 and the first layer (biases not penalized)."""
        hidden, z = self._forward(params, wide, deep)
        p = softmax(z, axis=1)
        n = len(w)
        table = params["wide"] if rows is None else params["wide"][rows]
        dense = [params[name] for name in ("W1", "W2") if name in params]
        loss = float(-(w * (q * np.log(np.clip(p, 1e-12, 1))).sum(axis=1)).sum()) / n
        loss += 0.5 * self.l2 * sum(float((a**2).sum()) for a in (table, *dense))
        dz = (p - q) * (w / n)[:, None]
        rows_in = wide if rows is None else wide[:, rows]
        grads: dict = {"wide": np.asarray(rows_in.T @ dz) + self.l2 * table, "b2": dz.sum(axis=0), "W2": hidden.T @ dz}
        if self.hidden:
            dh = (dz @ params["W2"].T) * (hidden > 0)
            grads["W1"] = deep.T @ dh
            grads["b1"] = dh.sum(axis=0)
        for name in ("W1", "W2"):
            if name in grads:
                grads[name] = grads[name] + self.l2 * params[name]
        return loss, {name: np.asarray(g, dtype=np.float32) for name, g in grads.items()}

    def _forward(self, params: dict, wide, deep: np.ndarray) -> tuple:
        """(hidden layer, scores before the softmax) of the network as it is trained."""
        hidden = np.maximum(deep @ params["W1"] + params["b1"], 0) if self.hidden else deep
        return hidden, np.asarray(wide @ params["wide"]) + hidden @ params["W2"] + params["b2"]

    def _fold(self, params: dict, ratios: np.ndarray) -> None:
        """What prediction reads: the n-gram table with the ratios folded in, the static table times
        the first layer (standardization folded in), the six features' part of that layer."""
        n = self.n_ngrams_
        folded = sum(ratios[c][:, None] * params["wide"][c * n : (c + 1) * n] for c in range(len(ratios)))
        self.ngram_weights_ = np.ascontiguousarray(folded, dtype=np.float32)
        first = params["W1"] if self.hidden else params["W2"]
        scaled = first / self.deep_scale_[:, None].astype(np.float32)
        self.bias_in_ = (params["b1"] if self.hidden else params["b2"]) - (self.deep_mean_ @ scaled).astype(np.float32)
        width = self.table.matrix.shape[1] if self.table is not None else 0
        self.pooled_ = (
            np.ascontiguousarray(self.table.matrix @ scaled[:width], dtype=np.float32)
            if self.table is not None
            else np.zeros((0, first.shape[1]), np.float32)
        )
        self.six_weights_ = np.ascontiguousarray(scaled[width:], dtype=np.float32)
        self.output_ = (params["W2"], params["b2"]) if self.hidden else None
        self.runtime_ = StudentRuntime(
            classes=[str(c) for c in self.classes_],
            vocabulary=self.vocabulary_,
            keys=self.keys_,
            ngram_weights=self.ngram_weights_,
            word_flags=self.word_flags_,
            piece_offsets=self.piece_offsets_,
            pieces=self.pieces_,
            pooled=self.pooled_,
            six_weights=self.six_weights_,
            bias_in=self.bias_in_,
            output=self.output_,
        )

    # -- prediction: the runtime, which needs numpy only --------------------------------------------

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "runtime_")
        return self.runtime_.predict_proba(X)

    def predict(self, X):
        check_is_fitted(self, "runtime_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def network_scores(self, X) -> np.ndarray:
        """The scores of the network as it was trained, from its unfolded parameters: what the
        runtime's folded tables must reproduce (slower; for checking, not for prediction)."""
        check_is_fitted(self, "runtime_")
        docs = list(X)
        ids, lengths = word_ids(docs, self.vocabulary_)
        doc_of = documents_of(lengths)
        wide = self._scaled(self._ngram_matrix(ids, doc_of, len(docs)), self.ratios_)
        deep = (self._deep_inputs(ids, doc_of, lengths) - self.deep_mean_) / self.deep_scale_
        return self._forward(self.params_, wide, deep)[1]

    def summary(self) -> dict:
        """What the model file says of the student (its shape, not its weights)."""
        check_is_fitted(self, "runtime_")
        return {
            "words": len(self.vocabulary_),
            "ngrams": int(self.n_ngrams_),
            "static_table": None if self.table is None else list(self.pooled_.shape),
            "hidden": self.hidden,
            "epochs": int(self.n_iter_),
            "loss_curve": [round(float(x), 5) for x in self.loss_curve_],
        }
