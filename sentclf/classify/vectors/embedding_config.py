"""What the pooled-embedding options ask for: the vectors' source and format, the pooling, and how
many vectors a model keeps. Plain values only, so the CLI can offer the choices before any work."""

from __future__ import annotations

from dataclasses import dataclass

from sentclf.errors import ConfigError, OptionConflictError

POOLS = ("mean", "max")
DEFAULT_POOL = "mean,max"
MINILM = "minilm"  # the WordPiece input-embedding table of all-MiniLM-L6-v2, as a vectors source
MINILM_STATIC = "minilm-static"  # a static table distilled from the sentence encoder (encoder/static.py)
DEFAULT_KEEP = 10_000
VECTOR_FORMATS = ("glove", "word2vec", "word2vec-bin", "fasttext")


def parse_pool(pool: str | tuple) -> tuple:
    """'mean,max' -> ('mean', 'max'), validated."""
    names = tuple(p.strip() for p in pool.split(",")) if isinstance(pool, str) else tuple(pool)
    if not names or any(p not in POOLS for p in names) or len(set(names)) != len(names):
        raise ConfigError(f"--pool takes mean, max or mean,max, not '{pool}'")
    return names


@dataclass(frozen=True)
class EmbeddingConfig:
    """Pooled word embeddings appended after x1..x6 (or alone, with ``lexicon_features=False``).
    ``pool`` and ``keep_vectors`` are None unless asked for, so that asking for them without a
    ``source`` is an error rather than an option that does nothing."""

    source: str | None = None
    fmt: str | None = None
    pool: str | None = None  # None: mean,max
    keep_vectors: int | None = None  # None: DEFAULT_KEEP
    lexicon_features: bool = True

    @property
    def pools(self) -> tuple:
        return parse_pool(self.pool or DEFAULT_POOL)

    @property
    def keep(self) -> int:
        return DEFAULT_KEEP if self.keep_vectors is None else self.keep_vectors

    def validate(self) -> None:
        if self.source is None:
            given = [
                name
                for name, value in (
                    ("--embeddings-format", self.fmt),
                    ("--pool", self.pool),
                    ("--keep-vectors", self.keep_vectors),
                )
                if value is not None
            ]
            if not self.lexicon_features:
                given.append("--no-lexicon-features")
            if given:
                raise OptionConflictError(
                    f"{given[0]} needs --embeddings SOURCE: it says how to use word vectors, and none are given"
                )
            return
        self.pools  # noqa: B018 - parses and checks --pool
        if self.fmt is not None and self.fmt not in VECTOR_FORMATS:
            raise ConfigError(f"unknown vectors format '{self.fmt}': choose one of {', '.join(VECTOR_FORMATS)}")
        if self.keep < 0:
            raise ConfigError(f"--keep-vectors must be 0 or more, not {self.keep}")

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "fmt": self.fmt,
            "pool": self.pool or DEFAULT_POOL,
            "keep_vectors": self.keep,
            "lexicon_features": self.lexicon_features,
        }

    def default_feature_set(self) -> str:
        """six, six+emb or emb, as the embedding options say."""
        if self.source is None:
            return "six"
        return "six+emb" if self.lexicon_features else "emb"
