"""sentclf: sentiment classification with the lecture's six features, logistic regression vs an MLP.

    >>> import sentclf
    >>> result = sentclf.train(sentclf.TrainConfig(output="model.sentclf"))     # the default corpus
    >>> config = sentclf.PredictConfig(sentclf.Inputs(texts=("What a great flight!",)),
    ...                                sentclf.ModelSource("model.sentclf"))
    >>> next(iter(sentclf.predictions(config)))["label"]
    'positive'

The language model: ``sentclf.train_lm(sentclf.LMTrainConfig(sentclf.LMConfig(tie=True),
sentclf.TextSource(("a.txt",)), "a.lm"))``, then ``sentclf.next_words(sentclf.QueryConfig("a.lm", "the dog gets"))``.

Names are imported on first use (SPEC 1's lazy loading), so ``import sentclf`` costs nothing and
``from sentclf.classify.vectors.files import read_vectors`` does not pay for the rest.
"""

import importlib
import os

__version__ = "0.1.0"

# OpenBLAS's idle threads spin for 2^28 cycles after each matrix product before they sleep, holding
# the cores the numpy loops between products need (the LM's softmax and Adam; bench/README.md has
# what it cost). 2^16 cycles still bridges back-to-back products. OpenBLAS reads this once, when numpy
# loads it: it takes effect when sentclf is imported before numpy (as the CLI is), and a value
# already in the environment wins.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "16")

# public name → (module, attribute)
_EXPORTS = {
    **{
        name: ("sentclf.classify.config", name)
        for name in (
            "TrainConfig",
            "StreamConfig",
            "CompareConfig",
            "EvaluateConfig",
            "PredictConfig",
            "FeaturesConfig",
            "FeatureMeansConfig",
            "ExplainConfig",
            "ModelSource",
            "OutputConfig",
        )
    },
    "ModelConfig": ("sentclf.classify.models.spec", "ModelConfig"),
    "EnsembleConfig": ("sentclf.classify.models.spec", "EnsembleConfig"),
    "EmbeddingConfig": ("sentclf.classify.vectors.embedding_config", "EmbeddingConfig"),
    "LexiconConfig": ("sentclf.classify.features.lexicons", "LexiconConfig"),
    **{name: ("sentclf.data.source", name) for name in ("DataConfig", "TextSource")},
    "Inputs": ("sentclf.data.inputs", "Inputs"),
    "Columns": ("sentclf.data.tables", "Columns"),
    "Document": ("sentclf.data.documents", "Document"),
    "read_examples": ("sentclf.data.readers", "read_examples"),
    "train": ("sentclf.classify.training", "train"),
    "TrainResult": ("sentclf.classify.training", "TrainResult"),
    "load_model": ("sentclf.classify.modelfile.model", "load"),
    "Model": ("sentclf.classify.modelfile.model", "Model"),
    **{
        name: ("sentclf.classify.prediction", name)
        for name in ("predict", "predictions", "Predictions", "PredictReport", "Scorer")
    },
    "features": ("sentclf.classify.featuredump", "features"),
    "feature_rows": ("sentclf.classify.featuredump", "feature_rows"),
    "feature_means": ("sentclf.classify.featuredump", "feature_means"),
    "compare": ("sentclf.classify.comparison", "compare"),
    "evaluate": ("sentclf.classify.evaluation", "evaluate"),
    "explain": ("sentclf.classify.explain", "explain"),
    "LectureFeatures": ("sentclf.classify.features.six", "LectureFeatures"),
    "PooledEmbeddings": ("sentclf.classify.features.embeddings", "PooledEmbeddings"),
    "Lexicon": ("sentclf.classify.features.lexicons", "Lexicon"),
    "load_lexicon": ("sentclf.classify.features.lexicons", "load_lexicon"),
    "build_pipeline": ("sentclf.classify.models.pipeline", "build_pipeline"),
    "LMConfig": ("sentclf.lm.config", "LMConfig"),
    "LanguageModel": ("sentclf.lm.model", "LanguageModel"),
    "load_lm": ("sentclf.lm.lmfile", "load"),
    **{name: ("sentclf.lm.training", name) for name in ("LMTrainConfig", "LMTrainResult", "train_lm")},
    **{
        name: ("sentclf.lm.queries", name)
        for name in (
            "PerplexityConfig",
            "QueryConfig",
            "ExportConfig",
            "perplexity_report",
            "next_words",
            "neighbors",
            "export_vectors",
        )
    },
    **{
        name: ("sentclf.errors", name)
        for name in (
            "SentclfError",
            "ConfigError",
            "OptionConflictError",
            "DataError",
            "LexiconError",
            "ModelFileError",
            "UnsafeModelError",
            "OutputError",
            "VectorsError",
            "SchedulerError",
        )
    },
}
__all__ = ("__version__", *_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'sentclf' has no attribute {name!r}")


def __dir__():
    return list(__all__)
