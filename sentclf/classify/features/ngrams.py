"""The ``ngrams`` feature block: TF-IDF over word 1-2-grams of sentclf's tokens (sublinear tf,
n-grams seen in at least two documents), sparse all the way."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def passthrough(tokens):
    """Identity for TfidfVectorizer's preprocessor and tokenizer: documents arrive as token lists."""
    return tokens


def ngram_vectorizer() -> TfidfVectorizer:
    """Word 1-2-grams over sentclf's tokens, TF-IDF with sublinear tf, n-grams seen in >= 2 documents."""
    return TfidfVectorizer(
        preprocessor=passthrough,
        tokenizer=passthrough,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
    )


def build(context):
    """The block for the registry."""
    return ngram_vectorizer()
