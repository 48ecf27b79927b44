"""The two classifiers the lecture compares, as scikit-learn pipelines:
tokenize → feature blocks (from the registry) → scale → classifier, where the classifier is
- ``lr``: logistic regression (sigmoid for two classes, multinomial softmax for more), or
- ``mlp``: a two-layer network, one hidden layer (ReLU by default) and a softmax output, or
- ``nb``: multinomial naive Bayes on the TF-IDF n-grams (a member of the accuracy recipe).
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from sentclf import progress
from sentclf.classify.features import BLOCKS, BlockContext
from sentclf.classify.features.tags import text_input_tags
from sentclf.classify.models.blend import HoldoutStack
from sentclf.classify.models.ensemble import build_ensemble, stack_folds
from sentclf.classify.models.parts import is_fine_tuned
from sentclf.classify.models.perclass import PerClassLogistic
from sentclf.classify.models.spec import (
    TRAINED_KINDS,
    TUNE_ALL,
    EnsembleConfig,
    ModelConfig,
    check_feature_set,
    check_nb,
)
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.errors import ConfigError
from sentclf.text import tokenize

# TF-IDF n-grams alone do best as they are with C = 4; beside dense features every column is max-abs
# scaled and C = 1: the choices that measured best on MR, SST-2 and full reviews (bench/README.md).
DEFAULT_C, DEFAULT_C_SPARSE_ONLY = 1.0, 4.0
DEFAULT_C_NB = 1.0  # NB-LR, one binary fit per class (see bench/README.md)


class Tokenizer(TransformerMixin, BaseEstimator):
    """Pipeline step: raw strings in, lists of tokens out, so later steps tokenize nothing again.

    Documents that are already token lists pass through, so a caller that tokenized once (``train``
    does, to find empty documents) can feed several pipelines without tokenizing again. It learns
    nothing (``requires_fit`` is False).
    """

    def __sklearn_tags__(self):
        tags = text_input_tags(super().__sklearn_tags__())
        tags.requires_fit = False
        return tags

    def fit(self, X, y=None):
        progress.advance("fit")  # the first step of every pipeline: one pipeline fitted
        return self

    def transform(self, X):
        return [doc if isinstance(doc, list) else tokenize(doc) for doc in X]


def build_classifier(
    kind: str, config: ModelConfig, sparse_only: bool = False, per_class: bool = False, dense: bool = False
):
    """The final estimator of a pipeline; ``per_class``: NB-LR's one binary fit per class.

    LR on dense columns only (the six features, an encoder, pooled vectors: hundreds of columns at
    most) is solved by Newton's method with a Cholesky solve, scikit-learn's advice when there are
    far more documents than columns: it reaches the optimum in a few steps where L-BFGS takes
    hundreds, for the same accuracy (bench/README.md). Sparse columns (up to millions) keep L-BFGS."""
    config = config.resolved()
    if kind == "lr":
        c = config.c if config.c is not None else DEFAULT_C_SPARSE_ONLY if sparse_only else DEFAULT_C
        if per_class:
            c = config.c if config.c is not None else DEFAULT_C_NB
            return PerClassLogistic(
                C=c, class_weight=config.class_weight, max_iter=config.max_iter, random_state=config.seed
            )
        return LogisticRegression(
            C=c,
            class_weight=config.class_weight,
            max_iter=config.max_iter,
            random_state=config.seed,
            solver="newton-cholesky" if dense else "lbfgs",
        )
    if kind == "nb":
        return MultinomialNB(fit_prior=config.class_weight != "balanced")  # balanced: uniform class priors
    if kind == "mlp":
        # MLPClassifier has no class_weight: balancing is done with sample weights at fit time.
        return MLPClassifier(
            hidden_layer_sizes=(config.hidden,),
            activation=config.activation,
            alpha=config.alpha,
            early_stopping=True,
            n_iter_no_change=10,
            max_iter=config.max_iter,
            random_state=config.seed,
        )
    raise ConfigError(f"unknown model '{kind}': choose one of {', '.join(TRAINED_KINDS)}")


def build_fine_tuned(config: ModelConfig, encoder=None):
    """The ft model: the sentence encoder fine-tuned (:mod:`.finetuned`), as the config says."""
    from sentclf.classify.models.finetuned import FineTunedEncoder

    config = config.resolved()
    every = config.tune_layers == TUNE_ALL
    return FineTunedEncoder(
        layers=None if every else config.tune_layers,
        epochs=config.tune_epochs,
        lr=config.tune_lr,
        class_weight=config.class_weight,
        tune_embeddings=every,
        encoder=encoder,
        random_state=config.seed,
    )


def build_features(feature_set: str, lexicon, embeddings: EmbeddingConfig | None = None, table=None, encoder=None):
    """The feature step: the set's blocks side by side, in registry order (x1..x6 first).

    Beside a prescaled block (whose columns carry learned weights) every other block is scaled on its
    own, dense ones standardized, so that no scaler after the union undoes those weights."""
    embeddings = embeddings or EmbeddingConfig()
    blocks = check_feature_set(feature_set, embeddings)
    if embeddings.source is not None:
        embeddings.validate()
    context = BlockContext(lexicon=lexicon, embeddings=embeddings, table=table, encoder=encoder)
    parts = [(name, BLOCKS[name].build(context)) for name in blocks]
    if any(BLOCKS[name].prescaled for name in blocks):
        parts = [(name, make_pipeline(part, StandardScaler()) if BLOCKS[name].dense else part) for name, part in parts]
    if len(parts) == 1:
        return parts[0][1]
    return FeatureUnion(parts, verbose_feature_names_out=False)


def build_pipeline(
    kind: str,
    lexicon,
    config: ModelConfig | None = None,
    embeddings: EmbeddingConfig | None = None,
    table=None,
    features: str | None = None,
    encoder=None,
    ensemble=None,
):
    """tokenize → features → scale → classifier. ``features`` is a feature set (default: six, or as the
    embedding config says). Dense blocks alone are standardized. Sparse blocks alone (TF-IDF rows are
    L2-normalized already) are left as they are; beside dense ones every column is scaled by its
    maximum absolute value, which keeps the matrix sparse."""
    config = config or ModelConfig()
    config.validate()
    embeddings = embeddings or EmbeddingConfig()
    if kind == "ensemble":
        ensemble = ensemble or EnsembleConfig()
        return build_ensemble(
            ensemble.chosen_members,
            ensemble.chosen_method,
            lambda member_features, member_kind: build_pipeline(
                member_kind, lexicon, config, embeddings, table, member_features, encoder
            ),
            config,
        )
    if kind == "ft":
        return Pipeline([("tokens", Tokenizer()), ("clf", build_fine_tuned(config, encoder))])
    feature_set = features or embeddings.default_feature_set()
    blocks = check_feature_set(feature_set, embeddings)
    check_nb(feature_set, kind)
    dense = [BLOCKS[name].dense for name in blocks]
    sparse_only = not any(dense)
    scale = "passthrough" if sparse_only else StandardScaler() if all(dense) else MaxAbsScaler()
    if any(BLOCKS[name].prescaled for name in blocks):
        scale = "passthrough"  # the blocks were scaled one by one (see build_features)
    return Pipeline(
        [
            ("tokens", Tokenizer()),
            ("features", build_features(feature_set, lexicon, embeddings, table, encoder)),
            ("scale", scale),
            (
                "clf",
                build_classifier(
                    kind,
                    config,
                    sparse_only,
                    per_class=len(blocks) == 1 and BLOCKS[blocks[0]].prescaled,
                    dense=all(dense),
                ),
            ),
        ]
    )


def calibrated(estimator, method: str, seed: int):
    """The estimator with its probabilities calibrated (``sigmoid``: Platt scaling, ``isotonic``) on
    5-fold out-of-fold predictions, then refitted on all the data; ``none``: the estimator itself."""
    if method == "none":
        return estimator
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    return CalibratedClassifierCV(estimator, method=method, cv=cv, ensemble=False)


def planned_fits(estimator) -> int:
    """How many pipelines fitting ``estimator`` fits: one, or per member and fold for an ensemble
    (stacking refits each member on every fold, then on all the data), times the calibration folds."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import StackingClassifier, VotingClassifier

    if isinstance(estimator, CalibratedClassifierCV):
        return (estimator.cv.get_n_splits() + 1) * planned_fits(estimator.estimator)
    if isinstance(estimator, StackingClassifier):
        return (estimator.cv.get_n_splits() + 1) * sum(planned_fits(m) for _, m in estimator.estimators)
    if isinstance(estimator, HoldoutStack):  # once on the training share, again on everything but the ft ones
        return sum((1 if is_fine_tuned(m) else 2) * planned_fits(m) for _, m in estimator.estimators)
    if isinstance(estimator, VotingClassifier):
        return sum(planned_fits(m) for _, m in estimator.estimators)
    return 1


def fit_for_size(pipeline: Pipeline, n_train: int, n_classes: int) -> Pipeline:
    """Switch off the MLP's early stopping when its 10% validation split could not hold two
    documents of every class (sklearn would fail, or stop on noise); in an ensemble, for each member.
    A stacking ensemble learns from fewer folds on large data, and from 2 when a member is the
    fine-tuned encoder (``ensemble.stack_folds``)."""
    from sklearn.ensemble import StackingClassifier
    from sklearn.model_selection import StratifiedKFold

    if isinstance(pipeline, StackingClassifier):
        tuned = any(is_fine_tuned(member) for _, member in pipeline.estimators)
        folds = stack_folds(n_train, tuned)
        pipeline.set_params(cv=StratifiedKFold(folds, shuffle=True, random_state=pipeline.cv.random_state))
        n_train = n_train * (folds - 1) // folds  # stacking fits the members on k − 1 of k folds
    if isinstance(pipeline, HoldoutStack):
        n_train -= round(pipeline.holdout * n_train)
    for _, member in getattr(pipeline, "estimators", []):
        fit_for_size(member, n_train, n_classes)
    clf = pipeline.named_steps.get("clf") if isinstance(pipeline, Pipeline) else None
    if isinstance(clf, MLPClassifier) and clf.early_stopping and n_train // 10 < 2 * n_classes:
        pipeline.set_params(clf__early_stopping=False)
    return pipeline
