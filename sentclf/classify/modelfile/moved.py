"""Where the classes in older model files live now: a pickle names each class by the module that
held it when the file was written, so every class that moves is listed here, and the unpickler
reads it from its new home (the allowlist is checked after the mapping). Files written by sentclf
0.1.0 and by the releases before the classifier was split into subpackages keep loading
(tests/test_legacy_files.py)."""

from __future__ import annotations

SIX = "sentclf.classify.features.six"
LEXICONS = "sentclf.classify.features.lexicons"
PIPELINE = "sentclf.classify.models.pipeline"
EMBEDDINGS = "sentclf.classify.features.embeddings"
VECTOR_FILES = "sentclf.classify.vectors.files"
VECTOR_SOURCES = "sentclf.classify.vectors.sources"
NGRAMS = "sentclf.classify.features.ngrams"

# (module, name) in an older file → the module that holds it now
MOVED = {
    # sentclf 0.1.0, before the package was organized by product
    ("sentclf.features", "LectureFeatures"): SIX,
    ("sentclf.text", "Tokenizer"): PIPELINE,
    ("sentclf.lexicons", "Lexicon"): LEXICONS,
    ("sentclf.embeddings", "PooledEmbeddings"): EMBEDDINGS,
    ("sentclf.embeddings", "WordPieceTable"): VECTOR_SOURCES,
    ("sentclf.vectors", "VectorTable"): VECTOR_FILES,
    ("sentclf.models", "passthrough"): NGRAMS,
    # before the classifier was split into subpackages (one folder per concern)
    ("sentclf.classify.lexicons", "Lexicon"): LEXICONS,
    ("sentclf.classify.pipeline", "Tokenizer"): PIPELINE,
    ("sentclf.classify.vectors", "VectorTable"): VECTOR_FILES,
    ("sentclf.classify.vector_sources", "WordPieceTable"): VECTOR_SOURCES,
    ("sentclf.classify.features.encoder", "SentenceVectors"): "sentclf.classify.features.sentence_vectors",
    ("sentclf.classify.features.nbngrams", "PerClassLogistic"): "sentclf.classify.models.perclass",
    ("sentclf.classify.ensemble", "log_odds"): "sentclf.classify.models.ensemble",
}
