"""scikit-learn tags for sentclf's estimators that read documents rather than numeric arrays: a
document is a raw string or sentclf's token list, so the input is a sequence of those, not a 2-D
array (scikit-learn's own text vectorizers say the same). Blocks whose weights are learned from the
classes (NB-weighted n-grams, the lexicon rule) also say that they need ``y``."""

from __future__ import annotations


def text_input_tags(tags, requires_y: bool = False):
    """``tags`` (from ``super().__sklearn_tags__()``) for an estimator that takes documents. A
    transformer of documents has no input dtype to preserve: it makes its columns' own."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    if tags.transformer_tags is not None:
        tags.transformer_tags.preserves_dtype = []
    if requires_y:
        tags.target_tags.required = True
    return tags
