#!/usr/bin/env python3
"""Regenerate positive.txt and negative.txt from the VADER lexicon (MIT licence).

VADER ships ``vader_lexicon.txt`` (token TAB mean valence TAB std TAB ratings) inside the
``vaderSentiment`` package on PyPI. A token with mean valence >= +T goes to positive.txt, <= -T to
negative.txt. Entries that sentclf's tokenizer does not keep as one token ("can't stand", "( '}{' )")
are skipped because features count single tokens, and "no" is skipped because the lecture gives it a
feature of its own (x3). Entries are written as the tokenizer sees them (lower case), deduplicated.

    pip install -e . vaderSentiment==3.3.2
    python lexicons/tools/build_vader_lexicon.py            # writes lexicons/positive.txt, negative.txt
    python lexicons/tools/build_vader_lexicon.py --threshold 1.0 --out /tmp/lex
"""

from __future__ import annotations

import argparse
import importlib.metadata
from pathlib import Path

from sentclf.text import tokenize

DEFAULT_THRESHOLD = 0.5
SKIPPED = {"no"}


def vader_lexicon_path() -> Path:
    """Find vader_lexicon.txt in the installed vaderSentiment distribution, without importing it."""
    dist = importlib.metadata.distribution("vaderSentiment")
    for file in dist.files or []:
        if file.name == "vader_lexicon.txt":
            return Path(dist.locate_file(file))
    raise SystemExit("vader_lexicon.txt not found: pip install vaderSentiment==3.3.2")


def derive(lexicon_text: str, threshold: float) -> tuple:
    """(positive, negative) sorted lists of single-token entries with |valence| >= threshold."""
    positive, negative = set(), set()
    for line in lexicon_text.splitlines():
        parts = line.split("\t")
        tokens = tokenize(parts[0]) if len(parts) >= 2 else []
        if len(tokens) != 1 or tokens[0] in SKIPPED:
            continue
        valence = float(parts[1])
        if valence >= threshold:
            positive.add(tokens[0])
        elif valence <= -threshold:
            negative.add(tokens[0])
    return sorted(positive), sorted(negative)


def header(kind: str, threshold: float, version: str) -> str:
    sign = ">= +" if kind == "positive" else "<= -"
    return (
        f"# {kind} entries derived from the VADER lexicon (vaderSentiment {version}, MIT licence,\n"
        f"# (c) 2016 C.J. Hutto; see NOTICE): single tokens with mean valence {sign}{threshold}.\n"
        f"# Regenerate with: python lexicons/tools/build_vader_lexicon.py --threshold {threshold}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    version = importlib.metadata.version("vaderSentiment")
    text = vader_lexicon_path().read_text(encoding="utf-8")
    positive, negative = derive(text, args.threshold)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, entries in (("positive", positive), ("negative", negative)):
        body = header(kind, args.threshold, version) + "\n".join(entries) + "\n"
        (args.out / f"{kind}.txt").write_text(body, encoding="utf-8")
    print(f"wrote {len(positive)} positive and {len(negative)} negative entries to {args.out}")


if __name__ == "__main__":
    main()
