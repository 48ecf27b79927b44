"""The feature-block registry. A block turns token lists into columns; a feature set is one or more
blocks joined with '+' (``six+ngrams``). Adding a block is one module with a ``build(context)``
function plus one :class:`FeatureBlock` entry here: the CLI's choices and help, config validation,
the pipeline and the model file's metadata all read this registry.

This module imports nothing heavy: a block's module is imported only when the block is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from sentclf.errors import ConfigError


@dataclass(frozen=True)
class FeatureBlock:
    """One registered block: its name in feature sets, a line of help, the module that builds it, and
    whether its columns are dense (standardized) or sparse (scaled by their maximum absolute value)."""

    name: str
    title: str
    module: str
    dense: bool = True
    needs_embeddings: bool = False
    prescaled: bool = False  # its columns carry learned weights: the pipeline never rescales them
    columns: tuple = ()  # fixed (name, alias) columns, when the block has them
    stateless: bool = False  # learns nothing from the data (or only a scaler): train --stream can use it

    def build(self, context: BlockContext):
        """The block's unfitted scikit-learn transformer (its module is imported here)."""
        return importlib.import_module(self.module).build(context)


@dataclass
class BlockContext:
    """What a block may need to build itself: the lexicon, the embedding config, a pre-loaded table."""

    lexicon: Any = None
    embeddings: Any = None  # a classify.config.EmbeddingConfig
    table: Any = None  # a VectorTable loaded once for every fold
    encoder: Any = None  # a SentenceEncoder loaded once for every pipeline


BLOCKS = {
    block.name: block
    for block in (
        FeatureBlock(
            "six",
            "x1..x6, the lecture's six hand-crafted features",
            "sentclf.classify.features.six",
            stateless=True,
            columns=(
                ("x1", "positive_count"),
                ("x2", "negative_count"),
                ("x3", "has_no"),
                ("x4", "pronoun_count"),
                ("x5", "has_exclamation"),
                ("x6", "log_token_count"),
            ),
        ),
        FeatureBlock(
            "emb",
            "pooled word vectors (needs --embeddings SOURCE)",
            "sentclf.classify.features.embeddings",
            needs_embeddings=True,
        ),
        FeatureBlock(
            "ngrams",
            "TF-IDF word 1-2-grams seen in at least 2 documents",
            "sentclf.classify.features.ngrams",
            dense=False,
        ),
        FeatureBlock(
            "hashed",
            "word 1-2-grams hashed into 2**20 columns: learns nothing, so train --stream can use it",
            "sentclf.classify.features.hashed",
            dense=False,
            stateless=True,
        ),
        FeatureBlock(
            "rules",
            "VADER-style rules on the lexicon: negation, intensifiers, 'but', '!', emoticons",
            "sentclf.classify.features.rules",
            stateless=True,
        ),
        FeatureBlock(
            "encoder",
            "all-MiniLM-L6-v2 contextual sentence vectors (needs the minilm extra)",
            "sentclf.classify.features.sentence_vectors",
        ),
        FeatureBlock(
            "nbngrams",
            "binary word 1-3-grams weighted by their NB log-count ratio (NB-SVM)",
            "sentclf.classify.features.nbngrams",
            dense=False,
            prescaled=True,
        ),
        FeatureBlock(
            "nbchars",
            "binary character 2-5-grams within words, weighted by their NB log-count ratio",
            "sentclf.classify.features.nbchars",
            dense=False,
            prescaled=True,
        ),
    )
}


SIX_ALIASES = dict(BLOCKS["six"].columns)  # x1 → positive_count, ...
SIX_NAMES = tuple(SIX_ALIASES)


def parse_feature_set(feature_set: str) -> tuple:
    """'six+ngrams' → ('six', 'ngrams'), in registry order, each name checked against the registry."""
    names = [name.strip() for name in feature_set.split("+") if name.strip()]
    unknown = [name for name in names if name not in BLOCKS]
    if unknown or not names:
        raise ConfigError(
            f"unknown feature block '{'+'.join(unknown) or feature_set}' in '{feature_set}': "
            f"join blocks with '+' from: {', '.join(BLOCKS)}"
        )
    return tuple(name for name in BLOCKS if name in names)


def default_feature_sets(embeddings: bool) -> tuple:
    """What ``compare`` runs when no --features is given."""
    return (("six", "six+emb", "emb") if embeddings else ("six",)) + ("six+ngrams", "ngrams")


def describe() -> str:
    """The registry in one line, for --help."""
    return "; ".join(f"{block.name}: {block.title}" for block in BLOCKS.values())
