"""The classifier's model file: :mod:`sentclf.archive`'s zip with ``model.joblib``, the fitted
pipelines pickled with joblib, beside ``metadata.json``.

Loading checks the metadata first (format, version, the payload's sha256), warns when the file was
saved with another scikit-learn, then unpickles through :mod:`.unpickling`'s allowlist, so a file can
refer to nothing but the classes sentclf's own pipelines are made of (``trusted=True`` lifts that,
with a warning), and checks that what it got is a dict of scikit-learn estimators (or distilled
students, which load without importing scikit-learn). Older files,
whose classes lived in modules that have since moved, load through :data:`.moved.MOVED`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentclf import archive
from sentclf.classify.modelfile.moved import MOVED
from sentclf.classify.models.spec import MODEL_KINDS
from sentclf.errors import ConfigError, ModelFileError
from sentclf.paths import default_model_path

PAYLOAD_MEMBER = "model.joblib"
log = logging.getLogger("sentclf")


@dataclass
class Model:
    """A loaded model file: its metadata and its fitted pipelines."""

    path: Path
    metadata: dict
    pipelines: dict

    @property
    def labels(self) -> list:
        return list(self.metadata["labels"])

    def pipeline(self, use: str | None = None) -> tuple:
        """(kind, pipeline): the one asked for, or the best one."""
        kind = use or self.metadata["best_model"]
        if kind not in self.pipelines:
            raise ConfigError(
                f"{self.path}: holds no '{kind}' model (it holds {', '.join(self.pipelines)}): "
                f"choose --use {' or --use '.join(self.pipelines)}, or retrain with --model {kind}"
            )
        return kind, self.pipelines[kind]


def save(path, pipelines: dict, metadata: dict, force: bool = False) -> Path:
    """Write the fitted pipelines and the metadata atomically; returns the path written."""
    import joblib

    from sentclf.classify.modelfile import tensors

    payload = io.BytesIO()
    with tensors.collecting() as sets:
        joblib.dump(pipelines, payload)
    extra = None
    if sets:  # a fine-tuned encoder's weights: plain float32 beside the pickle
        metadata = {**metadata, "tensors": tensors.manifest(sets)}
        extra = (tensors.MEMBER, tensors.blocks(sets))
    return archive.write_archive(
        path, archive.MODEL_FORMAT, metadata, PAYLOAD_MEMBER, payload.getvalue(), force, extra=extra
    )


def _unpickler(payload: bytes):
    """joblib's unpickler (it rebuilds the numpy arrays joblib writes apart) with no restriction,
    reading moved classes from where they live now: for ``trusted=True`` only."""
    from joblib.numpy_pickle import NumpyUnpickler

    class MovedClassUnpickler(NumpyUnpickler):
        def find_class(self, module, name):
            return super().find_class(MOVED.get((module, name), module), name)

    from sentclf.classify.modelfile.unpickling import joblib_options

    return MovedClassUnpickler("", io.BytesIO(payload), **joblib_options())


def load(path=None, trusted: bool = False) -> Model:
    """Load a model file (default: :func:`sentclf.paths.default_model_path`), checking metadata first.
    ``trusted``: unpickle whatever the file refers to (it may run code): only for files you made."""
    from importlib.metadata import version

    from sentclf.classify.modelfile import tensors
    from sentclf.classify.modelfile.unpickling import Allowlist, is_model, restricted_unpickler

    path = Path(path) if path else default_model_path()
    meta = archive.read_metadata(path)
    saved = meta.get("environment", {}).get("scikit_learn")
    installed = version("scikit-learn")  # read without importing scikit-learn, which a student never needs
    if saved and saved != installed:
        log.warning(
            "%s was saved with scikit-learn %s and this is %s: predictions may differ; retrain to be sure",
            path,
            saved,
            installed,
        )
    payload = archive.read_payload(path, meta, PAYLOAD_MEMBER)
    sets = tensors.read_sets(path, meta) if "tensors" in meta else []
    if trusted:
        log.warning("%s: loading without restrictions (--trust-model): the file can run any code", path)
    unpickler = _unpickler(payload) if trusted else restricted_unpickler(payload, Allowlist(), MOVED)
    try:
        with tensors.providing(sets):
            pipelines = unpickler.load()
    except ModelFileError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    except Exception as exc:  # unpickling errors come in every type
        raise ModelFileError(f"{path}: cannot unpickle the models ({type(exc).__name__}: {exc})") from None
    if not isinstance(pipelines, dict) or not all(isinstance(k, str) and is_model(v) for k, v in pipelines.items()):
        raise ModelFileError(f"{path}: the payload holds a {type(pipelines).__name__}, not sentclf's models")
    return Model(path, meta, pipelines)


@dataclass(frozen=True)
class ModelSource:
    """Which saved model a verb uses: its file (None: the default path), whether to load it without
    the allowlist (``trusted``: only for files you made), which of its models (None: the best one),
    or a model already loaded (``model``, from the Python API)."""

    path: str | None = None
    trusted: bool = False
    use: str | None = None
    model: Any = None

    def validate(self) -> None:
        if self.use is not None and self.use not in MODEL_KINDS:
            raise ConfigError(f"--use takes {' or '.join(MODEL_KINDS)}, not '{self.use}'")

    def load(self) -> Model:
        return self.model if self.model is not None else load(self.path, self.trusted)
