"""Converting a verified download into the files ``train`` reads: JSONL for sentence datasets, a folder
per label for review datasets. Nothing is extracted by a path the archive chose."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

from sentclf.data.catalogue import Spec
from sentclf.errors import DataError


def read_member(archive: tarfile.TarFile, member) -> bytes:
    """The bytes of one regular file in the archive (KeyError if there is none by that name)."""
    handle = archive.extractfile(member)
    if handle is None:
        raise KeyError(member)
    return handle.read()


def _check_members(spec: Spec, archive: tarfile.TarFile) -> None:
    for member, expected in spec.members.items():
        try:
            data = read_member(archive, member)
        except KeyError:
            raise DataError(f"{spec.name}: the archive has no {member}") from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise DataError(
                f"{spec.name}: {member} does not match its sha256: the source has changed; "
                "delete the download and try again, or report it"
            )


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
            raw = read_member(archive, f"rt-polaritydata/rt-polarity.{label}")
            rows += [
                {"text": line.decode("cp1252").strip(), "label": label} for line in raw.split(b"\n") if line.strip()
            ]
    return {"all": _write_jsonl(out / "mr.jsonl", rows)}


def convert_sst2(spec: Spec, files: dict, out: Path) -> dict:
    counts: dict[str, int] = {}
    for split in spec.splits:
        lines = files[f"stsa.binary.{split}"].read_text(encoding="utf-8").split("\n")
        rows = (
            {"text": text, "label": "pos" if label == "1" else "neg"}
            for label, _, text in (line.partition(" ") for line in lines if line.strip())
        )
        counts[split] = _write_jsonl(out / f"{split}.jsonl", rows)
    return counts


def _extract_reviews(archive: tarfile.TarFile, out: Path, layout) -> dict:
    """Copy review files to out/<target>/<label>/<name> by reading members (no path from the archive is trusted)."""
    counts: dict[str, int] = {}
    for member in archive:
        target = layout(member.name) if member.isfile() else None
        if target is None:
            continue
        folder, label, name = target
        dest = out / folder / label
        dest.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(read_member(archive, member))
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


def reviews_digest(reviews: dict) -> str:
    """sha256 over 'label/stem\n' + text + NUL of every review ({'label/stem': bytes}), sorted by key."""
    digest = hashlib.sha256()
    for key in sorted(reviews):
        digest.update(f"{key}\n".encode() + reviews[key] + b"\0")
    return digest.hexdigest()


def content_digest(folder: Path) -> str:
    """:func:`reviews_digest` of a converted folder (label/name.txt files)."""
    return reviews_digest({f"{p.parent.name}/{p.stem}": p.read_bytes() for p in folder.glob("*/*.txt")})


def convert_polarity2(spec: Spec, files: dict, out: Path) -> dict:
    """The 2,000 reviews are read into memory (about 8 MB) and checked against their recorded sha256
    before anything is written: the archive has no published checksum of its own."""
    reviews: dict = {}
    with tarfile.open(next(iter(files.values()))) as archive:
        for member in archive:
            target = _polarity2_layout(member.name) if member.isfile() else None
            if target is not None:
                reviews[(target[1], target[2])] = read_member(archive, member)
    found = reviews_digest({f"{label}/{Path(name).stem}": text for (label, name), text in reviews.items()})
    if spec.content_sha256 and found != spec.content_sha256:
        raise DataError(f"{spec.name}: the reviews do not match their recorded sha256: the source has changed")
    for (label, name), text in reviews.items():
        (out / label).mkdir(parents=True, exist_ok=True)
        (out / label / name).write_bytes(text)
    return {"all": len(reviews)}


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


CONVERTERS = {
    "mr": convert_mr,
    "sst2": convert_sst2,
    "imdb": convert_imdb,
    "polarity2": convert_polarity2,
    "uci": convert_uci,
}
