"""Fetching a standard dataset once into a cache, verified, then converted to what ``train`` reads.

Downloads go through pooch (which SciPy and scikit-image use) with a resuming downloader: an
interrupted transfer keeps its ``.part`` file and continues with an HTTP Range request. A checksum
is verified before anything is extracted: the archive's sha256 where one is published, else the
sha256 of the member files we convert (or, for the one entry with nothing published, the sha256
recorded at its first download). Conversion happens in a temporary folder that is renamed into
place only when complete, so no half-extracted dataset is ever left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlparse

from sentclf.data.catalogue import DATASET_PREFIX, MARKER, Spec, spec_for
from sentclf.data.converters import CONVERTERS
from sentclf.data.readers import file_sha256
from sentclf.errors import DataError
from sentclf.paths import data_home


class ResumingDownloader:
    """A pooch downloader that continues an interrupted transfer from its ``.part`` file."""

    def __init__(self, part: Path, progress=None, timeout: float = 60):
        """``progress(total_bytes, label)`` returns an ``update(n_bytes)`` callable (the CLI's progress bar)."""
        self.part, self.progress, self.timeout = part, progress, timeout

    def __call__(self, url: str, output_file, pooch_obj, check_only: bool = False):
        import requests

        done = self.part.stat().st_size if self.part.exists() else 0
        headers = {"Range": f"bytes={done}-"} if done else {}
        with requests.get(url, headers=headers, stream=True, timeout=self.timeout) as response:
            if response.status_code == 416:  # the .part is already complete
                response.close()
            else:
                response.raise_for_status()
                mode = "ab" if done and response.status_code == 206 else "wb"
                expected = int(response.headers.get("Content-Length", -1))
                response.raw.enforce_content_length = False  # keep what arrived; we check the length ourselves
                written = 0
                update = (
                    self.progress(max(expected, 0) + (done if mode == "ab" else 0), self.part.stem)
                    if self.progress
                    else None
                )
                if update and mode == "ab":
                    update(done)
                with open(self.part, mode) as out:
                    for block in response.iter_content(1 << 16):
                        out.write(block)
                        written += len(block)
                        if update:
                            update(len(block))
                if 0 <= written < expected:
                    raise requests.ConnectionError(f"connection closed after {written} of {expected} bytes")
        shutil.copyfile(self.part, output_file)


def _recorded(downloads: Path) -> dict:
    path = downloads / "recorded-sha256.json"
    return json.loads(path.read_text()) if path.exists() else {}


def download(spec: Spec, fname: str, downloads: Path, progress=None) -> Path:
    """One verified file in ``downloads``: the published sha256, else the one recorded at first download."""
    import pooch
    import requests

    expected = spec.sha256.get(fname) or _recorded(downloads).get(fname)
    part = downloads / f"{fname}.part"
    try:
        path = Path(
            pooch.retrieve(
                spec.urls[fname],
                known_hash=f"sha256:{expected}" if expected else None,
                fname=fname,
                path=downloads,
                downloader=ResumingDownloader(part, progress),
            )
        )
    except requests.HTTPError as exc:
        response = exc.response
        status = f"{response.status_code} {response.reason}" if response is not None else str(exc)
        raise DataError(f"{spec.name}: download of {spec.urls[fname]} failed ({status})") from None
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        host = urlparse(spec.urls[fname]).netloc
        if not part.exists() or part.stat().st_size == 0:  # nothing arrived: no network, or the host is down
            part.unlink(missing_ok=True)
            raise DataError(
                f"{spec.name}: cannot reach {host} ({type(exc).__name__}): nothing was downloaded; check the "
                "network connection and run the same command again"
            ) from None
        raise DataError(
            f"{spec.name}: the download from {host} was interrupted after {part.stat().st_size:,} bytes "
            f"({type(exc).__name__}): run the same command again to resume it"
        ) from None
    except ValueError as exc:  # pooch: the hash does not match
        part.unlink(missing_ok=True)
        raise DataError(
            f"{spec.name}: {fname} does not match its sha256 ({str(exc).splitlines()[0][:120]}): "
            "the file was deleted; run again to download it anew"
        ) from None
    part.unlink(missing_ok=True)
    if expected is None:
        recorded = {**_recorded(downloads), fname: file_sha256(path)}
        (downloads / "recorded-sha256.json").write_text(json.dumps(recorded, indent=2))
    return path


STALE_SECONDS = 3600  # a conversion folder this old belongs to a `data get` that was killed


def remove_stale_conversions(root: Path, name: str) -> list:
    """Delete ``.NAME.*`` folders that sentclf made for a conversion and a killed process left behind
    (older than an hour: a younger one may belong to a live process). Returns what was removed."""
    import time

    removed = []
    for folder in root.glob(f".{name}.*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and time.time() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:
            continue
    return removed


def fetch(name: str, root=None, registry: dict | None = None, progress=None) -> Path:
    """Download, verify and convert a dataset once; return its folder."""
    spec = spec_for(name, registry)
    root = Path(root) if root else data_home()
    final = root / spec.name
    if (final / MARKER).exists():
        return final
    if final.exists() or final.is_symlink():  # not ours: sentclf never deletes what it did not make
        raise DataError(
            f"{final}: exists and was not made by sentclf (it has no {MARKER}): move or delete it yourself, "
            "or choose another --dir"
        )
    downloads = root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    files = {fname: download(spec, fname, downloads, progress) for fname in spec.urls}
    remove_stale_conversions(root, spec.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=root))
    try:
        try:
            counts = CONVERTERS[spec.converter](spec, files, tmp)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            for path in files.values():
                path.unlink(missing_ok=True)
            raise DataError(
                f"{spec.name}: the downloaded archive is corrupt ({exc}): it was deleted; run again to download it anew"
            ) from None
        (tmp / MARKER).write_text(
            json.dumps({"name": spec.name, "title": spec.title, "counts": counts, "outputs": spec.outputs}, indent=2)
        )
        try:
            os.rename(tmp, final)  # fails if another process made the folder meanwhile: nothing is replaced
        except OSError:
            if not (final / MARKER).exists():
                raise DataError(f"{final}: appeared while converting and was not made by sentclf: run again") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def dataset_path(reference: str, root=None, registry: dict | None = None, progress=None) -> Path:
    """'mr' or 'sst2/test' -> the file or folder `train` reads (fetched first if needed)."""
    name, _, split = reference.partition("/")
    spec = spec_for(name, registry)
    split = split or spec.splits[0]
    if split not in spec.outputs:
        raise DataError(f"dataset '{name}' has no split '{split}': choose {', '.join(spec.outputs)}")
    return fetch(name, root, registry, progress) / spec.outputs[split]


def get_dataset(name: str, root=None, progress=None) -> dict:
    """Fetch one standard dataset; return its folder and the paths `train` reads."""
    spec = spec_for(name)
    folder = fetch(name, root, progress=progress)
    return {
        "name": name,
        "folder": str(folder),
        "paths": {split: str(folder / rel) for split, rel in spec.outputs.items()},
        "use": [
            f"sentclf train {DATASET_PREFIX}{name}" + (f"/{split}" if split != spec.splits[0] else "")
            for split in spec.outputs
        ],
    }
