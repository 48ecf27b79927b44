"""sentclf: sentiment classification with the lecture's six features, logistic regression vs an MLP.

    >>> import sentclf
    >>> report = sentclf.train(sentclf.TrainConfig(), "model.sentclf")      # default corpus
    >>> model = sentclf.load_model("model.sentclf")
    >>> docs = [sentclf.Document("-", 1, "What a great flight!")]
    >>> next(sentclf.predict(model, docs))["label"]
    'positive'

The language model: ``sentclf.train_lm(sentclf.LMConfig(tie=True), sentclf.TextInput(("a.txt",)), "a.lm")``,
then ``sentclf.lm.load("a.lm")[0].next_words("the dog gets")``.

Names are imported on first use, so ``from sentclf.vectors import read_vectors`` does not pay for
scikit-learn.
"""
import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "sentclf.api": ("DataConfig", "Model", "TrainConfig", "feature_rows", "load_model", "predict", "train"),
    "sentclf.data": ("Document", "read_examples"),
    "sentclf.errors": ("ConfigError", "DataError", "LexiconError", "ModelFileError", "SentclfError", "VectorsError"),
    "sentclf.features": ("LectureFeatures",),
    "sentclf.embeddings": ("PooledEmbeddings",),
    "sentclf.lexicons": ("Lexicon", "load_lexicon"),
    "sentclf.models": ("EmbeddingConfig", "ModelConfig", "build_pipeline"),
    "sentclf.lm": ("LMConfig", "LanguageModel"),
    "sentclf.lmtools": ("TextInput", "train_lm", "perplexity_report", "export_vectors"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = ["__version__", *_WHERE]


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sentclf' has no attribute {name!r}")
