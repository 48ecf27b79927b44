"""Where sentclf keeps things on a user's machine: the default model file, the dataset cache and the
vectors/encoding cache, each after the XDG base-directory convention with an environment override."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_NAME = "model.sentclf"


def user_dir(override: str, xdg: str, fallback: str, *parts: str) -> Path:
    """$override if set; else $xdg (or ~/fallback) joined with ``parts``."""
    if os.environ.get(override):
        return Path(os.environ[override]).expanduser()
    base = os.environ.get(xdg) or Path.home() / fallback
    return Path(base).joinpath(*parts)


def default_model_path() -> Path:
    """$SENTCLF_MODEL, else $XDG_DATA_HOME/sentclf/model.sentclf (~/.local/share/sentclf/model.sentclf)."""
    return user_dir("SENTCLF_MODEL", "XDG_DATA_HOME", ".local/share", "sentclf", DEFAULT_MODEL_NAME)


def data_home() -> Path:
    """$SENTCLF_DATA, else $XDG_CACHE_HOME/sentclf/datasets (~/.cache/sentclf/datasets)."""
    return user_dir("SENTCLF_DATA", "XDG_CACHE_HOME", ".cache", "sentclf", "datasets")


def cache_dir() -> Path:
    """$SENTCLF_CACHE, else $XDG_CACHE_HOME/sentclf (~/.cache/sentclf)."""
    return user_dir("SENTCLF_CACHE", "XDG_CACHE_HOME", ".cache", "sentclf")
