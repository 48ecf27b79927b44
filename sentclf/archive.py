"""The container both kinds of sentclf file share: a zip archive of ``metadata.json`` (plain JSON)
and one payload member whose sha256 the metadata records (a language model may add a second, large
member, streamed in and out in blocks: its training text).

The metadata can be read, and is checked, before the payload is touched: a file made by a newer
sentclf, a corrupt or truncated file, or a file of the other kind is rejected with a clear error.
Writes go to a temporary file in the target folder, then an atomic rename; without ``force`` the
final name is claimed with a hard link, which fails if the name exists, so of two concurrent writers
exactly one succeeds. Temporary files left by killed writers are removed by the next write to the
same path once they are an hour old. Reading is bounded: the metadata is at most 1 MB, and no member
is decompressed past the size the file declares.

The classifier's model file is :mod:`sentclf.classify.modelfile`; the language model's,
:mod:`sentclf.lm.lmfile`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

from sentclf.errors import ModelFileError

MODEL_FORMAT = "sentclf-model"
LM_FORMAT = "sentclf-lm"
FORMAT_VERSION = 1
METADATA_MEMBER = "metadata.json"
MAX_METADATA_BYTES = 1_000_000  # sentclf writes a few kB; more is a hostile or broken file
STALE_TEMP_SECONDS = 3600  # a writer's temporary file this old belongs to a writer that died
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


def already_exists(path) -> ModelFileError:
    return ModelFileError(f"{path}: already exists: pass --force to overwrite it, or -o to write elsewhere")


def refuse_inputs(path: Path, inputs=()) -> None:
    """Fail if ``path`` is one of the command's ``inputs``: an output never clobbers what it reads."""
    for source in inputs:
        if source and path.exists() and Path(source).exists() and os.path.samefile(path, source):
            raise ModelFileError(f"{path}: is also the input {source}: write the output elsewhere (-o)")


def check_writable(path: Path, force: bool, inputs=()) -> None:
    """Fail before any work is done if ``path`` exists and ``force`` is off, if it is one of the
    command's ``inputs``, or if its folder cannot be written."""
    path = Path(path)
    refuse_inputs(path, inputs)
    if path.exists() and not force:
        raise already_exists(path)
    if path.exists() and path.is_dir():
        raise ModelFileError(f"{path}: is a folder: give a file path")
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
    if not folder.is_dir():
        raise ModelFileError(f"{path}: {folder} is a file, not a folder: choose another output path")
    try:  # the honest test (root passes os.access everywhere, /proc refuses files anyway)
        with tempfile.TemporaryFile(dir=folder, prefix=".sentclf-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ModelFileError(f"{path}: cannot write in {folder} ({reason}): choose another output path") from None


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
                with archive.open(extra[0], "w", force_zip64=True) as out:
                    for block in extra[1]():
                        out.write(block)

    return atomic_write(path, write, replace=force)


def remove_stale_temps(path: Path, now: float | None = None) -> list:
    """Delete ``path``'s temporary files (``.NAME.*.tmp``) older than STALE_TEMP_SECONDS: their writer
    was killed. Younger ones may belong to a live writer and stay. Returns what was removed."""
    import time

    now = time.time() if now is None else now
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TEMP_SECONDS:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # another writer got there first
    return removed


def atomic_write(path, write, replace: bool = True) -> Path:
    """Call ``write(binary_file)`` on a temporary file in ``path``'s folder, sync it, give it ordinary
    permissions (mkstemp makes 0600), then move it to ``path``: a reader never sees half a file, and a
    failure leaves an existing file untouched. ``replace=False`` claims the name atomically (a hard
    link, which fails if it exists): of several concurrent writers exactly one succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ModelFileError(f"{path}: cannot write there ({reason}): choose another output path") from None
    try:
        with os.fdopen(handle, "wb") as raw:
            write(raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        if replace:
            os.replace(tmp_name, path)
        else:
            _claim(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def _claim(tmp_name: str, path: Path) -> None:
    """Give the finished temporary file the name ``path`` only if nobody has it (no check-then-rename)."""
    try:
        os.link(tmp_name, path)
    except FileExistsError:
        raise already_exists(path) from None
    except OSError:  # a filesystem without hard links: claim the name with O_EXCL, then fill it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666 & ~_umask()))
        except FileExistsError:
            raise already_exists(path) from None
        os.replace(tmp_name, path)


def _open(path: Path, fmt: str | None = MODEL_FORMAT) -> zipfile.ZipFile:
    what, make = KINDS.get(fmt or "", KINDS[MODEL_FORMAT])
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
    what, make = KINDS.get(fmt or "", ("sentclf file", "sentclf train"))
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
