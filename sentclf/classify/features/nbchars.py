"""The ``nbchars`` feature block: NB-weighted character n-grams.

The same log-count-ratio weighting as ``nbngrams`` (see that module), over binarized character
2-5-grams taken inside each token (scikit-learn's ``char_wb``), kept when seen in at least two
training documents. Character n-grams share evidence between forms of a word ("disappoint",
"disappointing", "disappointment") and survive misspellings, which word n-grams cannot.
"""

from __future__ import annotations

from sentclf.classify.features.nbngrams import NBWeightedNgrams


def build(context):
    """The block for the registry."""
    return NBWeightedNgrams(ngram_range=(2, 5), min_df=2, analyzer="char_wb")
