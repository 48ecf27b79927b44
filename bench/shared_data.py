"""Readers for the public datasets in ../shared/data (benchmarks only; tests never read them)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_mr() -> tuple:
    """Pang & Lee sentence polarity: cp1252 bytes, split on b'\\n' only (0x85 is in the text)."""
    texts, labels = [], []
    for name, label in (("rt-polarity.pos", "pos"), ("rt-polarity.neg", "neg")):
        for line in (SHARED / "mr" / name).read_bytes().split(b"\n"):
            if line.strip():
                texts.append(line.decode("cp1252", errors="replace").strip())
                labels.append(label)
    return texts, labels


def read_sst2(split: str) -> tuple:
    """SST-2 sentence split ('train', 'dev', 'test'): 'label sentence' per line, UTF-8."""
    texts, labels = [], []
    for line in (SHARED / "sst2" / f"stsa.binary.{split}").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            label, text = line.split(" ", 1)
            texts.append(text)
            labels.append("pos" if label == "1" else "neg")
    return texts, labels


def read_movie_reviews() -> tuple:
    """The 2,000 full reviews: (texts, labels, folds)."""
    texts, labels, folds = [], [], []
    with gzip.open(SHARED / "movie_reviews" / "movie_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append("pos" if row["label"] == 1 else "neg")
            folds.append(row["fold"])
    return texts, labels, folds


def huliu_dir() -> Path:
    return SHARED / "lexicon_huliu"
