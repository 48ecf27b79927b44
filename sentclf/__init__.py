"""sentclf: sentiment classification with the lecture's six features, logistic regression vs an MLP.

    >>> import sentclf
    >>> report = sentclf.train(sentclf.TrainConfig(), "model.sentclf")      # default corpus
    >>> model = sentclf.load_model("model.sentclf")
    >>> docs = [sentclf.Document("-", 1, "What a great flight!")]
    >>> next(sentclf.predict(model, docs))["label"]
    'positive'
"""
__version__ = "0.1.0"

from sentclf.api import DataConfig, Model, TrainConfig, feature_rows, load_model, predict, train  # noqa: E402
from sentclf.data import Document, read_examples  # noqa: E402
from sentclf.errors import ConfigError, DataError, LexiconError, ModelFileError, SentclfError  # noqa: E402
from sentclf.features import LectureFeatures  # noqa: E402
from sentclf.lexicons import Lexicon, load_lexicon  # noqa: E402
from sentclf.models import ModelConfig, build_pipeline  # noqa: E402

__all__ = ["__version__", "train", "load_model", "predict", "feature_rows", "TrainConfig", "DataConfig",
           "ModelConfig", "Model", "Document", "read_examples", "LectureFeatures", "Lexicon", "load_lexicon",
           "build_pipeline", "SentclfError", "DataError", "LexiconError", "ModelFileError", "ConfigError"]
