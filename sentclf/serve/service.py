"""What the server serves: the model file loaded once (checked as every command checks it), scored
through the same :class:`~sentclf.classify.prediction.Scorer` as ``predict``, explained as
``explain`` explains, described as ``info`` describes; reloaded from the same path on request, the
old model serving until the new one has loaded and answered a test text."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sentclf import archive
from sentclf.errors import ConfigError

log = logging.getLogger("sentclf")
CHECK_TEXT = "a test sentence"  # a new model answers this before it replaces the old one


@dataclass
class Loaded:
    """A model ready to serve: its scorer, its file's metadata and sha256, when it was loaded."""

    scorer: Any
    metadata: dict
    sha256: str
    loaded_at: float


@dataclass
class Service:
    """The model behind the server. ``current`` is None until the first load has finished (the
    server is live, not ready); a reload that fails leaves it as it was."""

    config: Any  # ServeConfig
    current: Loaded | None = None
    reloads: int = 0
    failed_reloads: int = 0
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self) -> dict:
        """The model file's metadata, read without unpickling: the quick check made before the server
        starts, so a missing or foreign file fails at once rather than leaving a server never ready."""
        from pathlib import Path

        from sentclf.paths import default_model_path

        path = Path(self.config.model.path) if self.config.model.path else default_model_path()
        meta = archive.read_metadata(path)
        use = self.config.model.use
        if use is not None and use not in meta.get("models", {}):
            raise ConfigError(f"{path}: holds no '{use}' model (it holds {', '.join(meta.get('models', {}))})")
        return meta

    def load(self) -> Loaded:
        """Load the config's model file, check it scores, and make it the one served."""
        from sentclf.classify.prediction import Scorer
        from sentclf.data.readers import file_sha256

        source = self.config.model
        model = source.load()
        scorer = Scorer.of(model, source.use, self.config.min_confidence, self.config.neutral_band)
        scorer.score_tokens([CHECK_TEXT.split()])
        loaded = Loaded(scorer, archive.read_metadata(model.path, fmt=None), file_sha256(model.path), time.time())
        with self._lock:
            self.current = loaded
        return loaded

    def reload(self) -> Loaded:
        """Load the file again (it may have been replaced); on failure the old model keeps serving
        and the error is raised."""
        try:
            loaded = self.load()
        except Exception as error:
            self.failed_reloads += 1
            self.last_error = str(error)
            log.error("reload failed, the old model keeps serving: %s", error)
            raise
        self.reloads += 1
        self.last_error = None
        log.info("reloaded %s (sha256 %s)", self.config.model.path, loaded.sha256[:12])
        return loaded

    def ready(self) -> Loaded:
        current = self.current
        if current is None:
            raise NotReady("the model is still loading: retry in a moment (GET /health says when it is ready)")
        return current

    def score(self, texts: list) -> list:
        """One result per text: (label, {class: P}, empty), from the model serving now."""
        scorer = self.ready().scorer
        empty, proba, labels = scorer.score_texts(texts)
        classes = scorer.classes
        return [(label, dict(zip(classes, row)), blank) for label, row, blank in zip(labels, proba.tolist(), empty)]

    def explain(self, text: str) -> dict:
        from sentclf.classify.explain import explain_text

        current = self.ready()
        return explain_text(current.scorer.model, text, current.scorer.kind)

    def words(self, text: str) -> dict:
        """Each word's push towards each class, by occlusion: what the page colours."""
        from sentclf.classify.explain import explain_words
        from sentclf.classify.models.spec import MODEL_TITLES

        scorer = self.ready().scorer
        return explain_words(scorer.pipeline, text, model_name=MODEL_TITLES.get(scorer.kind, scorer.kind))

    def info(self) -> dict:
        current = self.ready()
        return {
            "path": str(current.scorer.model.path),
            "sha256": current.sha256,
            "model": current.scorer.kind,
            "loaded_at": current.loaded_at,
            "reloads": self.reloads,
            "failed_reloads": self.failed_reloads,
            "metadata": current.metadata,
        }


class NotReady(ConfigError):
    """The model has not loaded yet."""
