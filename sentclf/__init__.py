"""sentclf: sentiment classification with the lecture's six features, logistic regression vs an MLP.

    >>> import sentclf
    >>> result = sentclf.train(sentclf.TrainConfig(output="model.sentclf"))     # the default corpus
    >>> config = sentclf.PredictConfig(model_path="model.sentclf", texts=("What a great flight!",))
    >>> predictions = sentclf.predict(config)
    >>> next(iter(predictions))["label"]
    'positive'

The language model: ``sentclf.train_lm(sentclf.LMTrainConfig(sentclf.LMConfig(tie=True),
sentclf.TextSource(("a.txt",)), "a.lm"))``, then ``sentclf.next_words(sentclf.QueryConfig("a.lm", "the dog gets"))``.

Names are imported on first use (SPEC 1's lazy loading), so ``import sentclf`` costs nothing and
``from sentclf.classify.vectors import read_vectors`` does not pay for the rest.
"""

import importlib
import os

__version__ = "0.1.0"

# OpenBLAS's idle threads spin for 2^28 cycles (about 0.1 s) after each matrix product before they
# sleep, holding the cores the numpy loops between products need: the LM's softmax and Adam ran 35-65%
# slower beside them (a training step 18% slower at batch 256, 23% at 512). 2^16 cycles (tens of µs)
# still bridges back-to-back products. OpenBLAS reads this once, when numpy loads it: it takes effect
# when sentclf is imported before numpy (as the CLI is), and a value already in the environment wins.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "16")

# public name → (module, attribute)
_EXPORTS = {
    **{
        name: ("sentclf.classify.config", name)
        for name in (
            "TrainConfig",
            "CompareConfig",
            "ModelConfig",
            "EmbeddingConfig",
            "LexiconConfig",
        )
    },
    **{
        name: ("sentclf.classify.scoring_config", name)
        for name in ("EvaluateConfig", "PredictConfig", "FeaturesConfig", "ExplainConfig")
    },
    **{name: ("sentclf.data.source", name) for name in ("DataConfig", "TextSource")},
    "Document": ("sentclf.data.documents", "Document"),
    "read_examples": ("sentclf.data.readers", "read_examples"),
    "train": ("sentclf.classify.training", "train"),
    "TrainResult": ("sentclf.classify.training", "TrainResult"),
    "load_model": ("sentclf.classify.modelfile", "load"),
    "Model": ("sentclf.classify.modelfile", "Model"),
    "predict": ("sentclf.classify.prediction", "predict"),
    "predict_documents": ("sentclf.classify.prediction", "predict_documents"),
    "Predictions": ("sentclf.classify.prediction", "Predictions"),
    "features": ("sentclf.classify.featuredump", "features"),
    "compare": ("sentclf.classify.comparison", "compare"),
    "evaluate": ("sentclf.classify.evaluation", "evaluate"),
    "explain": ("sentclf.classify.explain", "explain"),
    "LectureFeatures": ("sentclf.classify.features.six", "LectureFeatures"),
    "PooledEmbeddings": ("sentclf.classify.features.embeddings", "PooledEmbeddings"),
    "Lexicon": ("sentclf.classify.lexicons", "Lexicon"),
    "load_lexicon": ("sentclf.classify.lexicons", "load_lexicon"),
    "build_pipeline": ("sentclf.classify.pipeline", "build_pipeline"),
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
        for name in ("SentclfError", "ConfigError", "DataError", "LexiconError", "ModelFileError", "VectorsError")
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
