"""The container both kinds of sentclf file share: a zip archive of ``metadata.json`` (plain JSON)
and one payload member whose sha256 the metadata records (a language model may add a second, large
member, streamed in and out in blocks: its training text).

The metadata can be read, and is checked, before the payload is touched: a file made by a newer
sentclf, a corrupt or truncated file, or a file of the other kind is rejected with a clear error.
Writes are atomic (:mod:`sentclf.atomic`). Reading is bounded: the metadata is at most 1 MB, and no member
is decompressed past the size the file declares.

The classifier's model file is :mod:`sentclf.classify.modelfile`; the language model's,
:mod:`sentclf.lm.lmfile`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

from sentclf.atomic import atomic_write, check_writable
from sentclf.errors import ModelFileError

MODEL_FORMAT = "sentclf-model"
LM_FORMAT = "sentclf-lm"
FORMAT_VERSION = 1
METADATA_MEMBER = "metadata.json"
MAX_METADATA_BYTES = 1_000_000  # sentclf writes a few kB; more is a hostile or broken file
# format → (what the file is, the command that makes one)
KINDS = {
    MODEL_FORMAT: ("sentclf model file", "sentclf train"),
    LM_FORMAT: ("sentclf language model", "sentclf lm train"),
}
LM_SUFFIX = ".lm"  # what sentclf's examples name language models; their files are told apart by metadata


def kind_of(path: Path, fmt: str | None) -> tuple:
    """(what the file is, the command that makes one): the kind expected, or, when either will do,
    the one the name suggests (the metadata, which decides, may be what is unreadable)."""
    if fmt in KINDS:
        return KINDS[fmt]
    if path.suffix == LM_SUFFIX:
        return KINDS[LM_FORMAT]
    return ("sentclf file", "sentclf train' or 'sentclf lm train")


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


def write_archive(
    path, fmt: str, metadata: dict, member: str, payload_bytes: bytes, force: bool = False, extra=None
) -> Path:
    """The zip (metadata.json + one payload member, its sha256 recorded), written to a temporary file
    in the target folder, synced, then renamed over ``path``: a reader never sees half a file.
    ``extra`` = (member name, a function giving an iterable of byte blocks): a second member streamed
    block by block, its sha256 and size recorded in the metadata's ``extra``."""
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

    if extra is not None:  # one pass for its sha256, so the metadata can come first
        digest, size = hashlib.sha256(), 0
        for block in extra[1]():
            digest.update(block)
            size += len(block)
        meta["extra"] = {"member": extra[0], "sha256": digest.hexdigest(), "bytes": size}

    def write(raw):
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(meta, indent=2, sort_keys=True))
            archive.writestr(member, payload_bytes)
            if extra is not None:
                # stored, not deflated: float32 weights shrink by a tenth and would cost a second to inflate
                info = zipfile.ZipInfo(extra[0], date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                with archive.open(info, "w", force_zip64=True) as out:
                    for block in extra[1]():
                        out.write(block)

    return atomic_write(path, write, replace=force)


def _open(path: Path, fmt: str | None = MODEL_FORMAT) -> zipfile.ZipFile:
    what, make = kind_of(path, fmt)
    if not path.exists():
        hint = "train one with 'sentclf train', or pass -m PATH" if fmt == MODEL_FORMAT else f"make one with '{make}'"
        raise ModelFileError(f"{path}: {what} not found: {hint}")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a {what}")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError):
        raise ModelFileError(f"{path}: not a {what} (or it is corrupt or truncated): remake it with '{make}'") from None


def read_metadata(path, fmt: str | None = MODEL_FORMAT) -> dict:
    """The metadata, checked, without unpickling anything. ``fmt`` is the kind of file expected
    (a classifier model by default; :data:`LM_FORMAT` for a language model; None: either)."""
    path = Path(path)
    what, make = kind_of(path, fmt)
    with _open(path, fmt) as archive:
        try:
            meta = json.loads(bounded_read(archive, METADATA_MEMBER, MAX_METADATA_BYTES))
        except KeyError:
            raise ModelFileError(f"{path}: not a {what} (no {METADATA_MEMBER})") from None
        except (
            zipfile.BadZipFile,
            ValueError,
            OSError,
            RecursionError,
            EOFError,
            zlib.error,
            NotImplementedError,
        ) as exc:
            reason = f" ({str(exc)[:80]})" if "larger than" in str(exc) else ""
            raise ModelFileError(f"{path}: the metadata is corrupt{reason}: remake the file with '{make}'") from None
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


def bounded_read(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    """A member's bytes, never decompressing more than ``limit`` (a zip bomb or a lying header fails)."""
    if archive.getinfo(member).file_size > limit:
        raise ValueError(f"{member} is larger than {limit:,} bytes")
    with archive.open(member) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{member} is larger than {limit:,} bytes")
    return data


def read_payload(path, meta: dict, member: str) -> bytes:
    """The payload member's bytes, checked against the sha256 the metadata recorded."""
    what, make = KINDS.get(str(meta.get("format")), KINDS[MODEL_FORMAT])
    with _open(Path(path), meta.get("format")) as archive:
        declared = meta.get("payload", {}).get("bytes")
        if not isinstance(declared, int) or declared < 0:
            raise ModelFileError(f"{path}: the metadata records no payload size: remake the file with '{make}'")
        try:
            payload = bounded_read(archive, member, declared)
        except KeyError:
            raise ModelFileError(f"{path}: the file holds no {member}: remake it with '{make}'") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError):
            raise ModelFileError(
                f"{path}: the {what} is corrupt (bad checksum or size): remake it with '{make}'"
            ) from None
    if hashlib.sha256(payload).hexdigest() != meta.get("payload", {}).get("sha256"):
        raise ModelFileError(f"{path}: the payload does not match its recorded sha256: the file is corrupt")
    return payload


def read_extra(path, meta: dict, destination: Path, check=None, block: int = 1 << 22) -> None:
    """Stream the extra member into ``destination`` a block at a time, never past the size the metadata
    records, and check its sha256; ``check(block)`` may reject a block's contents (raise ValueError)."""
    what, make = KINDS.get(str(meta.get("format")), KINDS[MODEL_FORMAT])
    extra = meta.get("extra", {})
    declared, member = extra.get("bytes"), extra.get("member")
    if not isinstance(declared, int) or declared < 0 or not isinstance(member, str):
        raise ModelFileError(
            f"{path}: the metadata's record of its second member is corrupt: remake the file with '{make}'"
        )
    digest, size = hashlib.sha256(), 0
    try:
        with (
            _open(Path(path), meta.get("format")) as archive,
            archive.open(member) as stream,
            open(destination, "wb") as out,
        ):
            while data := stream.read(min(block, declared + 1 - size)):
                size += len(data)
                if size > declared:
                    raise ValueError(f"{member} is larger than {declared:,} bytes")
                if check is not None:
                    check(data)
                digest.update(data)
                out.write(data)
    except KeyError:
        raise ModelFileError(f"{path}: the file holds no {member}: remake it with '{make}'") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError) as exc:
        raise ModelFileError(
            f"{path}: the {what}'s {member} is corrupt ({str(exc)[:80]}): remake it with '{make}'"
        ) from None
    if size != declared or digest.hexdigest() != extra.get("sha256"):
        raise ModelFileError(f"{path}: {member} does not match its recorded size and sha256: the file is corrupt")
