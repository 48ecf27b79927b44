"""The container both kinds of sentclf file share: a zip archive of ``metadata.json`` (plain JSON)
and one payload member whose sha256 the metadata records.

The metadata can be read, and is checked, before the payload is touched: a file made by a newer
sentclf, a corrupt or truncated file, or a file of the other kind is rejected with a clear error.
Writes go to a temporary file in the target folder, then an atomic rename. The classifier's model
file is :mod:`sentclf.classify.modelfile`; the language model's, :mod:`sentclf.lm.lmfile`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from sentclf.errors import ModelFileError

MODEL_FORMAT = "sentclf-model"
LM_FORMAT = "sentclf-lm"
FORMAT_VERSION = 1
METADATA_MEMBER = "metadata.json"
# format → (what the file is, the command that makes one)
KINDS = {
    MODEL_FORMAT: ("sentclf model file", "sentclf train"),
    LM_FORMAT: ("sentclf language model", "sentclf lm train"),
}


def environment() -> dict:
    """The versions that matter for reading a payload back, recorded in every file."""
    import joblib
    import numpy
    import sklearn

    from sentclf import __version__

    return {
        "sentclf": __version__,
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
    }


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


def write_archive(path, fmt: str, metadata: dict, member: str, payload_bytes: bytes, force: bool = False) -> Path:
    """The zip (metadata.json + one payload member, its sha256 recorded), written to a temporary file
    in the target folder, synced, then renamed over ``path``: a reader never sees half a file."""
    path = Path(path)
    check_writable(path, force)
    meta = {
        "format": fmt,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": environment(),
        **metadata,
        "payload": {"member": member, "sha256": hashlib.sha256(payload_bytes).hexdigest(), "bytes": len(payload_bytes)},
    }

    def write(raw):
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(meta, indent=2, sort_keys=True))
            archive.writestr(member, payload_bytes)

    return atomic_write(path, write)


def atomic_write(path, write) -> Path:
    """Call ``write(binary_file)`` on a temporary file in ``path``'s folder, sync it, give it ordinary
    permissions (mkstemp makes 0600), then rename it over ``path``: a reader never sees half a file,
    and a failure leaves an existing file untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw:
            write(raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def _open(path: Path, fmt: str | None = MODEL_FORMAT) -> zipfile.ZipFile:
    what, make = KINDS.get(fmt or "", KINDS[MODEL_FORMAT])
    if not path.exists():
        hint = "train one with 'sentclf train', or pass -m PATH" if fmt == MODEL_FORMAT else f"make one with '{make}'"
        raise ModelFileError(f"{path}: {what} not found: {hint}")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a {what}")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ModelFileError(f"{path}: not a {what} (or it is corrupt or truncated): remake it with '{make}'") from None


def read_metadata(path, fmt: str | None = MODEL_FORMAT) -> dict:
    """The metadata, checked, without unpickling anything. ``fmt`` is the kind of file expected
    (a classifier model by default; :data:`LM_FORMAT` for a language model; None: either)."""
    path = Path(path)
    what, make = KINDS.get(fmt or "", ("sentclf file", "sentclf train"))
    with _open(path, fmt) as archive:
        try:
            meta = json.loads(archive.read(METADATA_MEMBER))
        except KeyError:
            raise ModelFileError(f"{path}: not a {what} (no {METADATA_MEMBER})") from None
        except (zipfile.BadZipFile, ValueError, OSError):
            raise ModelFileError(f"{path}: the metadata is corrupt: remake the file with '{make}'") from None
    found = meta.get("format") if isinstance(meta, dict) else None
    if found not in KINDS or (fmt is not None and found != fmt):
        other = f": it is a {KINDS[found][0]}" if found in KINDS else ""
        raise ModelFileError(f"{path}: not a {what}{other}")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: made by a newer sentclf (file format {version}, this sentclf reads up to "
            f"{FORMAT_VERSION}): upgrade with 'pip install -U sentclf'"
        )
    return meta


def read_payload(path, meta: dict, member: str) -> bytes:
    """The payload member's bytes, checked against the sha256 the metadata recorded."""
    what, make = KINDS.get(str(meta.get("format")), KINDS[MODEL_FORMAT])
    with _open(Path(path), meta.get("format")) as archive:
        try:
            payload = archive.read(member)
        except KeyError:
            raise ModelFileError(f"{path}: the file holds no {member}: remake it with '{make}'") from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise ModelFileError(f"{path}: the {what} is corrupt (bad checksum): remake it with '{make}'") from None
    if hashlib.sha256(payload).hexdigest() != meta.get("payload", {}).get("sha256"):
        raise ModelFileError(f"{path}: the payload does not match its recorded sha256: the file is corrupt")
    return payload
