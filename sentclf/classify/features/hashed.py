"""The ``hashed`` feature block: word 1-2-grams hashed into 2**20 columns (scikit-learn's
HashingVectorizer), term counts with each row L2-normalized.

It learns nothing, so it needs no pass over the data and no vocabulary in memory: this is the n-gram
block of ``train --stream``, where the data may not fit in memory (scikit-learn's "scaling with
instances" strategy). Unlike ``ngrams`` it has no IDF weights, and distinct n-grams may share a column.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from sentclf.classify.features.ngrams import passthrough

N_FEATURES = 2**20


def build(context):
    """The block for the registry."""
    return HashingVectorizer(
        preprocessor=passthrough,
        tokenizer=passthrough,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm="l2",
        dtype=np.float32,
    )
