"""The ``nbngrams`` feature block: NB-weighted n-grams, the features of Wang & Manning's NB-SVM (2012).

Each document is its set of word 1-3-grams (binarized counts f̂), and each n-gram's column is scaled
by its log-count ratio r = log((p / ‖p‖₁) / (q / ‖q‖₁)), where p and q are α plus the n-gram's
document counts in the positive and the negative class. A linear classifier on r ∘ f̂ is NB-SVM
(with logistic regression: NB-LR). r is learned in ``fit``, so cross-validation fits it inside each
training fold. For more than two classes each class gets its own ratio against the rest
(one-vs-rest), and the K scaled copies stand side by side.

The columns carry their weights, so the pipeline never rescales this block (``prescaled``).

The block alone with ``lr`` gets :class:`~sentclf.classify.models.perclass.PerClassLogistic`, NB-LR
as the paper fits it: one binary logistic regression per class, each on that class's own scaled copy
(faster than one multinomial fit on all K copies, and as accurate: bench/README.md).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features.charngrams import CharNgramCounts
from sentclf.classify.features.ngrams import passthrough
from sentclf.classify.features.tags import text_input_tags


def build(context):
    """The block for the registry."""
    return NBWeightedNgrams()


class NBWeightedNgrams(TransformerMixin, BaseEstimator):
    """Token lists in, r ∘ f̂ out (sparse). ``alpha`` smooths the counts; n-grams seen in fewer than
    ``min_df`` training documents are dropped. ``analyzer``: ``word`` n-grams of the tokens, or
    ``char_wb`` n-grams of characters inside the tokens (:class:`CharNgramCounts`)."""

    _parameter_constraints: ClassVar[dict] = {
        "ngram_range": [tuple],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "analyzer": [StrOptions({"word", "char_wb"})],
    }

    def __init__(self, ngram_range=(1, 3), alpha=1.0, min_df=1, analyzer="word"):
        self.ngram_range = ngram_range
        self.alpha = alpha
        self.min_df = min_df
        self.analyzer = analyzer

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__(), requires_y=True)

    def fit(self, X, y=None):
        self._fit(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        return self._scale(self._fit(X, y))

    def _fit(self, X, y):
        self._validate_params()
        if y is None:
            raise ValueError("NBWeightedNgrams needs the labels: its weights are log-count ratios between classes")
        self.vectorizer_ = self._vectorizer()
        counts = self.vectorizer_.fit_transform(X).tocsr()
        labels = np.asarray(y, dtype=object).astype(str)
        self.classes_ = np.unique(labels)
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        self.ratios_ = np.vstack([self._ratio(counts, labels == label) for label in targets]).astype(np.float32)
        return counts

    def _vectorizer(self):
        if self.analyzer == "char_wb":
            return CharNgramCounts(ngram_range=self.ngram_range, min_df=self.min_df)
        return CountVectorizer(
            analyzer="word",
            preprocessor=passthrough,
            tokenizer=passthrough,
            token_pattern=None,
            lowercase=False,
            binary=True,
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            dtype=np.float32,
        )

    def _ratio(self, counts, positive: np.ndarray) -> np.ndarray:
        p = self.alpha + np.asarray(counts[positive].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(counts[~positive].sum(axis=0)).ravel()
        return np.log((p / p.sum()) / (q / q.sum()))

    def _scale(self, counts):
        return sparse.hstack([counts @ sparse.diags(ratio) for ratio in self.ratios_], format="csr")

    def transform(self, X):
        check_is_fitted(self, "ratios_")
        return self._scale(self.vectorizer_.transform(X).tocsr())

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "ratios_")
        names = self.vectorizer_.get_feature_names_out()
        if len(self.ratios_) == 1:
            return np.asarray([f"nb_{name}" for name in names], dtype=object)
        targets = self.classes_
        return np.asarray([f"nb[{label}]_{name}" for label in targets for name in names], dtype=object)
