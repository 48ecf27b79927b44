"""What a fitted pipeline is made of: its feature blocks in column order and their column names
(what the model file lists and ``explain`` reads), found through calibration wrappers and ensembles."""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from sentclf.classify.features import BLOCKS
from sentclf.classify.features.embeddings import PooledEmbeddings
from sentclf.classify.features.six import LectureFeatures

FT_FEATURE_NAME = "encoder (fine-tuned: reads the wordpieces)"


def uncalibrated(estimator):
    """The fitted model under a calibration wrapper (or the estimator itself)."""
    inner = getattr(estimator, "calibrated_classifiers_", None)
    return inner[0].estimator if inner else estimator


def block_parts(pipeline: Pipeline, feature_set: str | None = None) -> list:
    """[(block name, fitted transformer)] of a pipeline's feature step, in column order. A lone block
    is named by ``feature_set`` (the model file records it) or recognized by its type. The
    fine-tuned encoder (``ft``) has no feature step: it reads the text itself."""
    if "features" not in pipeline.named_steps:
        return []
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
    if "features" not in pipeline.named_steps:
        return [FT_FEATURE_NAME]
    names = []
    for name, part in block_parts(pipeline, feature_set):
        dense = BLOCKS[name].dense if name in BLOCKS else True
        if not dense and hasattr(unwrap(part), "n_features"):  # hashed: columns have no names
            names.append(f"{name}[{unwrap(part).n_features}]")
            continue
        columns = part.get_feature_names_out()
        names += [str(c) for c in columns] if dense else [f"{name}[{len(columns)}]"]
    return names


def fine_tuned(pipeline) -> list:
    """[(name, FineTunedEncoder)] in a fitted pipeline: the ft model itself, or an ensemble's ft members."""
    pipeline = uncalibrated(pipeline)
    if not isinstance(pipeline, Pipeline):
        names = [n for n, _ in pipeline.estimators]
        return [
            found
            for name, member in zip(names, pipeline.estimators_)
            for _, clf in fine_tuned(member)
            for found in [(name, clf)]
        ]
    return [("ft", pipeline.steps[-1][1])] if is_fine_tuned(pipeline) else []


def is_fine_tuned(pipeline) -> bool:
    """Whether a (fitted or not) pipeline is the ft model: its last step is a FineTunedEncoder, known by
    name so that nothing here imports the fine-tuning code."""
    return isinstance(pipeline, Pipeline) and type(pipeline.steps[-1][1]).__name__ == "FineTunedEncoder"


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
