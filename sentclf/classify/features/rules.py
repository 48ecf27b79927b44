"""The ``rules`` feature block: sentiment rules in the manner of VADER (Hutto & Gilbert 2014),
computed from sentclf's own lexicon, as columns a classifier can weigh.

Each token of the positive (negative) list has valence +1 (−1), each positive (negative) emoticon or
emoji ±1. Then, in VADER's order: an intensifier among the three tokens before a word pushes its
valence away from zero (+0.293) and a dampener pulls it in; a negation among the three tokens before
flips and damps it (× −0.74); in a sentence with "but" the words before it count half and those
after it one and a half; each "!" (up to four) adds 0.292 in the direction of the sum. The columns:
the compound score sum / √(sum² + 15) in [−1, 1], the positive and the negative mass, the number of
negated words and whether a "but" turned the sentence. Capital letters, which VADER also reads, are
not seen here: sentclf's tokens are lower-cased before the feature blocks.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features.lexicons import Lexicon, load_lexicon
from sentclf.classify.features.tags import text_input_tags
from sentclf.text import tokenize

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "without",
        "hardly",
        "n't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
        "shouldn't",
        "haven't",
        "hasn't",
        "hadn't",
        "ain't",
    ]
)
INTENSIFIERS = frozenset(
    [
        "very",
        "really",
        "extremely",
        "so",
        "too",
        "absolutely",
        "totally",
        "incredibly",
        "super",
        "most",
        "highly",
        "completely",
        "utterly",
        "truly",
        "remarkably",
        "especially",
        "exceptionally",
        "quite",
        "fully",
        "hugely",
        "deeply",
    ]
)
DAMPENERS = frozenset(
    [
        "slightly",
        "somewhat",
        "barely",
        "kinda",
        "sorta",
        "marginally",
        "partly",
        "occasionally",
        "little",
    ]
)
POSITIVE_SIGNS = frozenset(
    [
        ":)",
        ":-)",
        ":d",
        ":-d",
        "<3",
        ";)",
        ";-)",
        ":p",
        "=)",
        "(:",
        "😀",
        "😂",
        "😊",
        "😍",
        "👍",
        "❤",
        "🙂",
    ]
)
NEGATIVE_SIGNS = frozenset(
    [
        ":(",
        ":-(",
        ":'(",
        "</3",
        ">:(",
        ":/",
        ":-/",
        "):",
        "😢",
        "😡",
        "😠",
        "👎",
        "💔",
        "🙁",
        "😞",
    ]
)
BOOST, NEGATE, EXCLAIM, ALPHA = 0.293, -0.74, 0.292, 15.0
NAMES = ("rule_compound", "rule_positive", "rule_negative", "rule_negated", "rule_but")


def build(context):
    """The block for the registry."""
    return RuleFeatures(lexicon=context.lexicon)


def rule_values(tokens: list, lexicon: Lexicon) -> tuple:
    """The five columns for one tokenized document."""
    valences, negated = [], 0
    for i, token in enumerate(tokens):
        base = 1.0 if token in lexicon.positive or token in POSITIVE_SIGNS else 0.0
        base -= 1.0 if token in lexicon.negative or token in NEGATIVE_SIGNS else 0.0
        if base == 0.0:
            valences.append(0.0)
            continue
        before = tokens[max(0, i - 3) : i]
        boost = BOOST * (sum(t in INTENSIFIERS for t in before) - sum(t in DAMPENERS for t in before))
        value = base + (boost if base > 0 else -boost)  # intensifiers push away from zero, dampeners pull in
        if any(t in NEGATIONS for t in before):
            value *= NEGATE
            negated += 1
        valences.append(value)
    turned = "but" in tokens
    if turned:
        pivot = tokens.index("but")
        valences = [v * (0.5 if i < pivot else 1.5) for i, v in enumerate(valences)]
    total = sum(valences)
    if total:
        total += math.copysign(EXCLAIM * min(tokens.count("!"), 4), total)
    positive = sum(v for v in valences if v > 0)
    negative = -sum(v for v in valences if v < 0)
    compound = total / math.sqrt(total * total + ALPHA)
    return compound, positive, negative, float(negated), float(turned)


class RuleFeatures(TransformerMixin, BaseEstimator):
    """Token lists (or raw strings) in, the five rule columns out. ``lexicon``: None for the built-in."""

    _parameter_constraints: ClassVar[dict] = {"lexicon": [None, Lexicon]}

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def fit(self, X, y=None):
        self._validate_params()
        self.lexicon_ = self.lexicon if self.lexicon is not None else load_lexicon()
        self.n_features_out_ = len(NAMES)
        return self

    def transform(self, X):
        check_is_fitted(self, "lexicon_")
        rows = [rule_values(tokenize(doc) if isinstance(doc, str) else doc, self.lexicon_) for doc in X]
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(NAMES))

    def get_feature_names_out(self, input_features=None):
        return np.asarray(NAMES, dtype=object)
