"""Writing any output file safely: to a temporary file in the target folder, synced, then renamed over
the path, so a reader never sees half a file and a failure leaves an existing file untouched. Without
``replace`` the final name is claimed with a hard link, which fails if the name exists, so of two
concurrent writers exactly one succeeds. Temporary files left by killed writers are removed by the
next write to the same path once they are an hour old. An output is never one of the command's
inputs, and an existing one is replaced only when asked (``--force``).

Model files (:mod:`sentclf.archive`), predictions and feature dumps (:mod:`sentclf.sinks`) and the
LM's files all write through here; failures are :class:`~sentclf.errors.OutputError`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sentclf.errors import OutputError

STALE_TEMP_SECONDS = 3600  # a writer's temporary file this old belongs to a writer that died


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def already_exists(path) -> OutputError:
    return OutputError(f"{path}: already exists: pass --force to overwrite it, or -o to write elsewhere")


def refuse_inputs(path: Path, inputs=()) -> None:
    """Fail if ``path`` is one of the command's ``inputs``: an output never clobbers what it reads."""
    for source in inputs:
        if source and path.exists() and Path(source).exists() and os.path.samefile(path, source):
            raise OutputError(f"{path}: is also the input {source}: write the output elsewhere (-o)")


def check_writable(path: Path, force: bool, inputs=()) -> None:
    """Fail before any work is done if ``path`` exists and ``force`` is off, if it is one of the
    command's ``inputs``, or if its folder cannot be written."""
    path = Path(path)
    refuse_inputs(path, inputs)
    if path.exists() and not force:
        raise already_exists(path)
    if path.exists() and path.is_dir():
        raise OutputError(f"{path}: is a folder: give a file path")
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is a file, not a folder: choose another output path")
    try:  # the honest test (root passes os.access everywhere, /proc refuses files anyway)
        with tempfile.TemporaryFile(dir=folder, prefix=".sentclf-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{path}: cannot write in {folder} ({reason}): choose another output path") from None


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
        raise OutputError(f"{path}: cannot write there ({reason}): choose another output path") from None
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
