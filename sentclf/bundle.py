"""The model file: a zip archive holding ``metadata.json`` (plain JSON) and ``model.joblib`` (pickled).

The metadata can be read, and is checked, before anything is unpickled: a file made by a newer
sentclf, a corrupt or truncated file, or a file that is not a sentclf model is rejected with a clear
error; a different scikit-learn version only warns. Unpickling runs code: load only files you trust.
Writes go to a temporary file in the target folder, then an atomic rename.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import platform
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy
import sklearn

from sentclf.errors import ModelFileError

FORMAT = "sentclf-model"
FORMAT_VERSION = 1
METADATA_MEMBER, PAYLOAD_MEMBER = "metadata.json", "model.joblib"
DEFAULT_FILENAME = "model.sentclf"
log = logging.getLogger("sentclf")


def default_model_path() -> Path:
    """$SENTCLF_MODEL, else $XDG_DATA_HOME/sentclf/model.sentclf (~/.local/share/sentclf/model.sentclf)."""
    if os.environ.get("SENTCLF_MODEL"):
        return Path(os.environ["SENTCLF_MODEL"]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "sentclf" / DEFAULT_FILENAME


def environment() -> dict:
    """The versions that matter for unpickling, recorded in every model file."""
    from sentclf import __version__

    return {"sentclf": __version__, "python": platform.python_version(), "scikit_learn": sklearn.__version__,
            "numpy": numpy.__version__, "joblib": joblib.__version__}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: Path, force: bool) -> None:
    """Fail before any work is done if ``path`` exists and ``force`` is off."""
    if path.exists() and not force:
        raise ModelFileError(f"{path}: already exists: pass --force to overwrite it, or -o to write elsewhere")
    if path.exists() and path.is_dir():
        raise ModelFileError(f"{path}: is a folder: give a file path for the model")


def save(path, models: dict, metadata: dict, force: bool = False) -> Path:
    """Write models and metadata atomically; returns the path written."""
    path = Path(path)
    check_writable(path, force)
    payload = io.BytesIO()
    joblib.dump(models, payload)
    payload_bytes = payload.getvalue()
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "environment": environment(), **metadata,
            "payload": {"sha256": hashlib.sha256(payload_bytes).hexdigest(), "bytes": len(payload_bytes)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(meta, indent=2, sort_keys=True))
            archive.writestr(PAYLOAD_MEMBER, payload_bytes)
        with open(tmp_name, "rb+") as done:
            os.fsync(done.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp creates 0600; a model file is an ordinary file
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def _open(path: Path) -> zipfile.ZipFile:
    if not path.exists():
        raise ModelFileError(f"{path}: model file not found: train one with 'sentclf train', or pass -m PATH")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a model file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ModelFileError(f"{path}: not a sentclf model file (or it is corrupt or truncated): "
                             "retrain with 'sentclf train'") from None


def read_metadata(path) -> dict:
    """The metadata, checked, without unpickling anything."""
    path = Path(path)
    with _open(path) as archive:
        try:
            meta = json.loads(archive.read(METADATA_MEMBER))
        except KeyError:
            raise ModelFileError(f"{path}: not a sentclf model file (no {METADATA_MEMBER})") from None
        except (zipfile.BadZipFile, ValueError, OSError):
            raise ModelFileError(f"{path}: the model metadata is corrupt: retrain with 'sentclf train'") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a sentclf model file")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(f"{path}: made by a newer sentclf (model format {version}, this sentclf reads up to "
                             f"{FORMAT_VERSION}): upgrade with 'pip install -U sentclf'")
    return meta


def load(path) -> tuple:
    """(metadata, models) after the checks: metadata first, then the payload's checksum, then unpickling."""
    path = Path(path)
    meta = read_metadata(path)
    saved = meta.get("environment", {}).get("scikit_learn")
    if saved and saved != sklearn.__version__:
        log.warning("%s was saved with scikit-learn %s and this is %s: predictions may differ; retrain to be sure",
                    path, saved, sklearn.__version__)
    with _open(path) as archive:
        try:
            payload = archive.read(PAYLOAD_MEMBER)
        except KeyError:
            raise ModelFileError(f"{path}: the model file holds no {PAYLOAD_MEMBER}: retrain") from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise ModelFileError(f"{path}: the model file is corrupt (bad checksum): retrain") from None
    if hashlib.sha256(payload).hexdigest() != meta.get("payload", {}).get("sha256"):
        raise ModelFileError(f"{path}: the model payload does not match its recorded sha256: the file is corrupt")
    try:
        models = joblib.load(io.BytesIO(payload))
    except Exception as exc:  # unpickling errors come in every type
        raise ModelFileError(f"{path}: cannot unpickle the models ({type(exc).__name__}: {exc})") from None
    return meta, models
