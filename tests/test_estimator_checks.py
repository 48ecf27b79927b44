"""scikit-learn's own estimator checks, run on every estimator sentclf defines.

Two kinds of estimator:

- Those that take numeric arrays, NB-LR's ``PerClassLogistic`` and the lecture's ``TwoLayerNet``,
  run the whole suite. Each check listed as expected to fail says why; the runs are strict, so a
  listed check that starts passing fails the test too.
- Those that take documents (raw strings or token lists): their tags say so (``input_tags.string``,
  not ``two_d_array``), and for such input scikit-learn runs only the clone check, as it does for
  its own text vectorizers. So each also runs under a *view*, a subclass whose tags claim 2-D arrays:
  every input-independent check (the parameter contract, cloning, ``fit`` returning self,
  ``NotFittedError`` before fit, the mixin order, tags) passes as it is, and every check listed
  below feeds rows of numbers, which are not documents: that is the reason each one states.
"""

from __future__ import annotations

import functools

import pytest
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.features.charngrams import CharNgramCounts
from sentclf.classify.features.embeddings import PooledEmbeddings
from sentclf.classify.features.nbngrams import NBWeightedNgrams
from sentclf.classify.features.rules import RuleFeatures
from sentclf.classify.features.sentence_vectors import SentenceVectors
from sentclf.classify.features.six import LectureFeatures
from sentclf.classify.models.distilled import Distilled
from sentclf.classify.models.finetuned import FineTunedEncoder
from sentclf.classify.models.lexicon_rule import LexiconRule
from sentclf.classify.models.perclass import PerClassLogistic
from sentclf.classify.models.pipeline import Tokenizer
from sentclf.classify.models.softtargets import SoftTargetLogistic
from sentclf.classify.models.student import DistilledStudent
from sentclf.classify.vectors.files import VectorTable
from sentclf.lecture.networks import TwoLayerNet

COPIES = "its columns are one NB-weighted copy per class (K × n): data of another width is refused"
NUMBERS = "input: documents (strings or token lists); a row of numbers is not one"
DOCUMENT_DTYPES = "input: documents, which have no numeric dtype, NaN, inf, complex value or sparse form"
FEATURES_OUT = "input: documents, not columns: there is no number of input features to check"
POLARITY = "labels must read as positive and negative (pos/neg, 1/0): scikit-learn's are 0, 1, 2 or words"
ARRAY_API = "scikit-learn skips it unless SCIPY_ARRAY_API is set"
CLASS_WEIGHT = "class_weight takes 'balanced' only (the CLI's --class-weight), not a dict of weights"

ARRAY_ESTIMATORS = {
    SoftTargetLogistic: {},  # every check passes
    PerClassLogistic: {
        **dict.fromkeys(
            [
                "check_estimators_overwrite_params",
                "check_estimators_fit_returns_self",
                "check_readonly_memmap_input",
                "check_n_features_in_after_fitting",
                "check_positive_only_tag_during_fit",
                "check_dtype_object",
                "check_estimator_sparse_array",
                "check_estimator_sparse_matrix",
                "check_classifiers_classes",
                "check_classifiers_train",
                "check_class_weight_classifiers",
                "check_non_transformer_estimators_n_iter",
            ],
            COPIES,
        ),
        "check_array_api_input": ARRAY_API,
    },
    TwoLayerNet: {"check_array_api_input": ARRAY_API},
}


def check_name(check) -> str:
    while isinstance(check, functools.partial):
        check = check.func
    return check.__name__


def run_check(estimator, check, expected: dict) -> None:
    """Run one check; one listed as expected to fail must fail (strict: a listed check that passes
    is a failure too). Its exception is caught, not reported: what the check found is the reason."""
    reason = expected.get(check_name(check))
    if reason is None:
        check(estimator)
        return
    with pytest.raises(Exception):  # noqa: B017 - each check fails in its own way
        check(estimator)


@parametrize_with_checks([PerClassLogistic(), TwoLayerNet(epochs=50), SoftTargetLogistic()])
def test_estimator_checks_on_array_estimators(estimator, check):
    run_check(estimator, check, ARRAY_ESTIMATORS[type(estimator)])


def tiny_table() -> VectorTable:
    import numpy as np

    return VectorTable(["good", "bad"], np.eye(2, dtype=np.float32), "test", "0" * 64, "glove")


class FakeEncoder:
    """Stands in for the sentence encoder: a 2-dimensional vector of each text's length and vowels."""

    sha256 = "f" * 64
    width = 2
    backend = "numpy"

    def __repr__(self):
        # the estimator's repr names the test, so it must not carry an address that changes every run
        return "FakeEncoder()"

    def encode(self, texts):
        import numpy as np

        return np.array([[len(t), sum(c in "aeiou" for c in t)] for t in texts], dtype=np.float32)


def fake_bert_encoder():
    """A SentenceEncoder over a tiny random BERT of the real layout, made once for the fine-tuned model."""
    import tempfile
    from pathlib import Path

    from sentclf.classify.encoder.sentence import SentenceEncoder
    from tests.classify.encoder.test_encoder import make_fake_bert

    global _BERT
    if "_BERT" not in globals():
        folder = make_fake_bert(Path(tempfile.mkdtemp(prefix="sentclf-bert-")))
        _BERT = SentenceEncoder(folder, backend="numpy")
        _BERT.__class__ = ReprEncoder
    return _BERT


class ReprEncoder(SentenceEncoder):
    def __repr__(self):  # the estimator's repr names the test: no address that changes every run
        return "SentenceEncoder(fake BERT)"


def text_estimators() -> list:
    return [
        Tokenizer(),
        LectureFeatures(),
        RuleFeatures(),
        NBWeightedNgrams(),
        CharNgramCounts(),
        PooledEmbeddings(table=tiny_table()),
        SentenceVectors(encoder=FakeEncoder(), cache=False),
        LexiconRule(),
        FineTunedEncoder(encoder=fake_bert_encoder(), layers=1, epochs=1),
        DistilledStudent(hidden=4, epochs=1),
        Distilled(teacher=lecture_lr(), augment=1, hidden=4, epochs=1),
    ]


def lecture_lr():
    """A small teacher over token lists: x1..x6 into logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(LectureFeatures(), LogisticRegression())


@pytest.mark.parametrize("estimator", text_estimators(), ids=lambda e: type(e).__name__)
def test_estimator_checks_text_estimators_say_they_take_documents(estimator):
    tags = get_tags(estimator)
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    supervised = (NBWeightedNgrams, LexiconRule, FineTunedEncoder, DistilledStudent, Distilled)
    assert tags.target_tags.required == isinstance(estimator, supervised)
    if hasattr(estimator, "transform"):
        assert tags.transformer_tags is not None
    else:
        assert tags.classifier_tags is not None


def test_estimator_checks_classifiers_are_classifiers_so_cross_validation_stratifies():
    from sklearn.base import is_classifier
    from sklearn.model_selection import StratifiedKFold, check_cv

    for estimator in (
        LexiconRule(),
        PerClassLogistic(),
        TwoLayerNet(),
        FineTunedEncoder(),
        DistilledStudent(),
        Distilled(),
    ):
        assert is_classifier(estimator)
        assert isinstance(check_cv(3, [0, 1] * 3, classifier=is_classifier(estimator)), StratifiedKFold)


@parametrize_with_checks(text_estimators())
def test_estimator_checks_on_text_estimators_as_scikit_learn_runs_them(estimator, check):
    check(estimator)


def array_tags(self):
    tags = type(self).__mro__[1].__sklearn_tags__(self)
    tags.input_tags.two_d_array, tags.input_tags.string = True, False
    return tags


def view(estimator):
    """The same estimator, its tags claiming 2-D arrays, as a module-level class (so it pickles)."""
    kind = type(estimator)
    name = f"{kind.__name__}OnArrays"
    if name not in globals():
        globals()[name] = type(kind.__name__, (kind,), {"__sklearn_tags__": array_tags, "__qualname__": name})
        globals()[name].__module__ = __name__
    return globals()[name](**estimator.get_params(deep=False))


def failing(reason: str, *checks: str) -> dict:
    return dict.fromkeys(checks, reason)


EVERY_VIEW = {
    **failing(ARRAY_API, "check_array_api_input"),
    **failing(DOCUMENT_DTYPES, "check_dtype_object", "check_estimators_nan_inf"),
    **failing(NUMBERS, "check_estimators_empty_data_messages", "check_fit1d", "check_fit2d_predict1d"),
    **failing(FEATURES_OUT, "check_n_features_in", "check_n_features_in_after_fitting"),
}
TRANSFORMERS = {
    **failing(DOCUMENT_DTYPES, "check_complex_data", "check_estimator_sparse_tag"),
    **failing(NUMBERS, "check_transformer_data_not_an_array", "check_transformer_general"),
}
SPARSE = failing(DOCUMENT_DTYPES, "check_estimator_sparse_array", "check_estimator_sparse_matrix")
# checks whose numbers reach code that reads each token as a string
TOKENS_AS_STRINGS = failing(
    NUMBERS,
    "check_fit_score_takes_y",
    "check_estimators_dtypes",
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_dict_unchanged",
    "check_fit_idempotent",
)
# ... and, for the n-gram counters, every check that fits at all
NGRAMS = {
    **TOKENS_AS_STRINGS,
    **SPARSE,
    **failing(
        NUMBERS,
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params",
        "check_readonly_memmap_input",
        "check_positive_only_tag_during_fit",
        "check_fit2d_1sample",
        "check_fit_check_is_fitted",
    ),
}
VIEW_FAILURES: dict = {
    "Tokenizer": {
        **EVERY_VIEW,
        **TRANSFORMERS,
        **TOKENS_AS_STRINGS,
        **failing(NUMBERS, "check_transformers_unfitted_stateless"),
    },
    "LectureFeatures": {**EVERY_VIEW, **TRANSFORMERS},
    "RuleFeatures": {**EVERY_VIEW, **TRANSFORMERS},
    "NBWeightedNgrams": {  # it refuses sparse input as its tags say (the counting fails first)
        **EVERY_VIEW,
        **{k: v for k, v in TRANSFORMERS.items() if k != "check_estimator_sparse_tag"},
        **NGRAMS,
        **failing(NUMBERS, "check_requires_y_none"),
    },
    "CharNgramCounts": {**EVERY_VIEW, **TRANSFORMERS, **NGRAMS, **failing(NUMBERS, "check_fit2d_1feature")},
    "PooledEmbeddings": {**EVERY_VIEW, **TRANSFORMERS, **SPARSE},
    "SentenceVectors": {**EVERY_VIEW, **TRANSFORMERS, **TOKENS_AS_STRINGS},
    "FineTunedEncoder": {
        **EVERY_VIEW,
        **SPARSE,
        **TOKENS_AS_STRINGS,
        **failing(
            NUMBERS,
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_decision_proba_consistency",
            "check_dont_overwrite_parameters",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_fit_check_is_fitted",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_supervised_y_2d",
        ),
        **failing(CLASS_WEIGHT, "check_class_weight_classifiers"),
    },
    "DistilledStudent": {
        **EVERY_VIEW,
        **SPARSE,
        **TOKENS_AS_STRINGS,
        **failing(
            NUMBERS,
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_one_label_sample_weights",
            "check_classifiers_train",
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weights_not_an_array",
            "check_sample_weights_pandas_series",
            "check_supervised_y_2d",
        ),
    },
    "Distilled": {
        **EVERY_VIEW,
        **SPARSE,
        **TOKENS_AS_STRINGS,
        **failing(
            NUMBERS,
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_supervised_y_2d",
        ),
    },
    "LexiconRule": {
        **EVERY_VIEW,
        **SPARSE,
        **failing(DOCUMENT_DTYPES, "check_estimator_sparse_tag"),
        **failing(NUMBERS, "check_classifiers_train"),
        **failing(
            POLARITY,
            "check_estimators_dtypes",
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_fit2d_1feature",
        ),
    },
}


@parametrize_with_checks([view(e) for e in text_estimators()])
def test_estimator_checks_on_text_estimators_given_arrays(estimator, check):
    run_check(estimator, check, VIEW_FAILURES[type(estimator).__name__])


def test_estimator_checks_every_listed_failure_names_a_check_that_runs():
    """The lists name real checks: a typo would make a check pass silently as 'not listed'."""
    from sklearn.utils.estimator_checks import estimator_checks_generator

    for estimator, expected in [
        *((e, ARRAY_ESTIMATORS[type(e)]) for e in (PerClassLogistic(), TwoLayerNet(epochs=50))),
        *((view(e), VIEW_FAILURES[type(e).__name__]) for e in text_estimators()),
    ]:
        names = {check_name(check) for _, check in estimator_checks_generator(estimator)}
        assert set(expected) <= names, sorted(set(expected) - names)
