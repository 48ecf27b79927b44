"""The two classifiers the lecture compares, as scikit-learn pipelines:
tokenize → feature blocks (from the registry) → scale → classifier, where the classifier is
- ``lr``: logistic regression (sigmoid for two classes, multinomial softmax for more), or
- ``mlp``: a two-layer network, one hidden layer (ReLU by default) and a softmax output, or
- ``nb``: multinomial naive Bayes on the TF-IDF n-grams (a member of the accuracy recipe).
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from sentclf import progress
from sentclf.classify.config import (
    MODEL_KINDS,
    EmbeddingConfig,
    EnsembleConfig,
    ModelConfig,
    check_feature_set,
    check_nb,
)
from sentclf.classify.ensemble import build_ensemble, stack_folds
from sentclf.classify.features import BLOCKS, BlockContext
from sentclf.classify.features.embeddings import PooledEmbeddings
from sentclf.classify.features.nbngrams import PerClassLogistic
from sentclf.classify.features.six import LectureFeatures
from sentclf.errors import ConfigError
from sentclf.text import tokenize

# Measured (bench/README.md): TF-IDF n-grams alone do best as they are with C = 4 (MR 10-fold 0.779,
# against 0.765 max-abs scaled with C = 1); beside dense features every column is max-abs scaled and
# C = 1 (full reviews: 0.886, against 0.82-0.84 with the dense part standardized and TF-IDF raw).
DEFAULT_C, DEFAULT_C_SPARSE_ONLY = 1.0, 4.0
DEFAULT_C_NB = 1.0  # NB-LR, one binary fit per class (see bench/README.md)


class Tokenizer(BaseEstimator, TransformerMixin):
    """Pipeline step: raw strings in, lists of tokens out, so later steps tokenize nothing again.

    Documents that are already token lists pass through, so a caller that tokenized once (``train``
    does, to find empty documents) can feed several pipelines without tokenizing again.
    """

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
    far more documents than columns: it reaches the optimum in a few steps (six+encoder on the
    tweets: 4 steps, 6 s, where L-BFGS took 190 steps, 16 s, for the same accuracy). Sparse
    columns (up to millions) keep L-BFGS."""
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
    raise ConfigError(f"unknown model '{kind}': choose one of {', '.join(MODEL_KINDS)}")


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
            ensemble.members,
            ensemble.method,
            lambda member_features, member_kind: build_pipeline(
                member_kind, lexicon, config, embeddings, table, member_features, encoder
            ),
            config,
        )
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
    if isinstance(estimator, VotingClassifier):
        return sum(planned_fits(m) for _, m in estimator.estimators)
    return 1


def uncalibrated(estimator):
    """The fitted model under a calibration wrapper (or the estimator itself)."""
    inner = getattr(estimator, "calibrated_classifiers_", None)
    return inner[0].estimator if inner else estimator


def fit_for_size(pipeline: Pipeline, n_train: int, n_classes: int) -> Pipeline:
    """Switch off the MLP's early stopping when its 10% validation split could not hold two
    documents of every class (sklearn would fail, or stop on noise); in an ensemble, for each member.
    A stacking ensemble learns from fewer folds on large data (``ensemble.stack_folds``)."""
    from sklearn.ensemble import StackingClassifier
    from sklearn.model_selection import StratifiedKFold

    if isinstance(pipeline, StackingClassifier):
        folds = stack_folds(n_train)
        pipeline.set_params(cv=StratifiedKFold(folds, shuffle=True, random_state=pipeline.cv.random_state))
        n_train = n_train * (folds - 1) // folds  # stacking fits the members on k − 1 of k folds
    for _, member in getattr(pipeline, "estimators", []):
        fit_for_size(member, n_train, n_classes)
    clf = pipeline.named_steps.get("clf") if isinstance(pipeline, Pipeline) else None
    if isinstance(clf, MLPClassifier) and clf.early_stopping and n_train // 10 < 2 * n_classes:
        pipeline.set_params(clf__early_stopping=False)
    return pipeline


def block_parts(pipeline: Pipeline, feature_set: str | None = None) -> list:
    """[(block name, fitted transformer)] of a pipeline's feature step, in column order. A lone block
    is named by ``feature_set`` (the model file records it) or recognized by its type."""
    step = pipeline.named_steps["features"]
    if isinstance(step, FeatureUnion):
        return list(step.transformer_list)
    if feature_set is None:  # recognize the block by the module its transformer comes from
        module = (
            "sentclf.classify.features.ngrams"
            if isinstance(unwrap(step), TfidfVectorizer)
            else type(unwrap(step)).__module__
        )
        feature_set = next((b.name for b in BLOCKS.values() if b.module == module), "features")
    return [(feature_set, step)]


def feature_names(pipeline: Pipeline, feature_set: str | None = None) -> list:
    """What the model file lists: every column of a dense block (x1..x6, emb_mean_0, ...), and for a
    sparse block its name and width (``ngrams[48213]``): n-gram vocabularies are kept out of metadata."""
    pipeline = uncalibrated(pipeline)
    if not isinstance(pipeline, Pipeline):  # an ensemble: its members, each with its blocks
        return [
            f"{name}: {', '.join(feature_names(member, name.rsplit('_', 1)[0]))}"
            for name, member in zip([n for n, _ in pipeline.estimators], pipeline.estimators_)
        ]
    names = []
    for name, part in block_parts(pipeline, feature_set):
        dense = BLOCKS[name].dense if name in BLOCKS else True
        if not dense and hasattr(unwrap(part), "n_features"):  # hashed: columns have no names
            names.append(f"{name}[{unwrap(part).n_features}]")
            continue
        columns = part.get_feature_names_out()
        names += [str(c) for c in columns] if dense else [f"{name}[{len(columns)}]"]
    return names


def unwrap(part):
    """A block itself, when the pipeline scaled it on its own (block → scaler)."""
    return part.steps[0][1] if isinstance(part, Pipeline) else part


def feature_parts(pipeline: Pipeline) -> tuple:
    """(LectureFeatures or None, PooledEmbeddings or None) of a fitted pipeline (of an ensemble: the
    first member's that has one)."""
    pipeline = uncalibrated(pipeline)
    if not isinstance(pipeline, Pipeline):
        found = [feature_parts(member) for member in pipeline.estimators_]
        return (next((s for s, _ in found if s is not None), None), next((e for _, e in found if e is not None), None))
    parts = [unwrap(part) for _, part in block_parts(pipeline)]
    six = next((p for p in parts if isinstance(p, LectureFeatures)), None)
    emb = next((p for p in parts if isinstance(p, PooledEmbeddings)), None)
    return six, emb
