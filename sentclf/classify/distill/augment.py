"""More texts for the teacher to label when the unlabeled ones are scarce: Tang et al. (2019)'s
augmentation. Each labelled text yields up to ``per_text`` variants, each made by, in turn:

- **masking**: each word, with probability ``p_mask``, becomes ``[MASK]`` (a word the student does
  not know, so it learns what the teacher says when that word is missing);
- **similar words**: each word, with probability ``p_similar`` (0 unless asked: it measured no
  gain), becomes one of its nearest neighbours in the static table (cosine);
- **n-gram sampling**: with probability ``p_ngram`` only a random 1-5-word span is kept.

A variant equal to its text or to another variant is dropped. The teacher labels the variants, so
a swap that flips the sentiment ("good" → "bad") is labelled as what it became. What each buys is
measured in bench/README.md ("Distillation").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

MASK = "[MASK]"
NEIGHBOURS = 5
MAX_SPAN = 5


@dataclass(frozen=True)
class Augmentation:
    per_text: int = 10
    p_mask: float = 0.1
    p_similar: float = 0.0
    p_ngram: float = 0.25

    def as_dict(self) -> dict:
        return {"per_text": self.per_text, "p_mask": self.p_mask, "p_similar": self.p_similar, "p_ngram": self.p_ngram}


def similar_words(words: set, table) -> dict:
    """{word: its NEIGHBOURS nearest whole-word wordpieces} for the words of ``words`` the static
    table has as one wordpiece (``table``: a WordPieceTable; None: no neighbours)."""
    if table is None:
        return {}
    index = {w: i for i, w in enumerate(table.words) if w.isalpha() and w.islower()}
    candidates = np.fromiter(index.values(), dtype=np.int64)
    names = np.asarray(list(index), dtype=object)
    unit = table.matrix[candidates] / (np.linalg.norm(table.matrix[candidates], axis=1, keepdims=True) + 1e-9)
    asked = [w for w in sorted(words) if w in index]
    position = {i: k for k, i in enumerate(candidates)}
    found = {}
    for start in range(0, len(asked), 1024):
        chunk = asked[start : start + 1024]
        rows = np.asarray([position[index[w]] for w in chunk])
        scores = unit[rows] @ unit.T
        scores[np.arange(len(rows)), rows] = -np.inf  # not the word itself
        best = np.argpartition(-scores, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
        for word, picks in zip(chunk, best):
            found[word] = list(names[picks])
    return found


def augment(docs: list, config: Augmentation, neighbours: dict, seed: int = 0) -> list:
    """The variants of every document (token lists), in document order."""
    rng = random.Random(seed)
    out = []
    for tokens in docs:
        seen = {tuple(tokens)}
        for _ in range(config.per_text):
            variant = []
            for word in tokens:
                if rng.random() < config.p_mask:
                    variant.append(MASK)
                elif word in neighbours and rng.random() < config.p_similar:
                    variant.append(rng.choice(neighbours[word]))
                else:
                    variant.append(word)
            if len(variant) > 1 and rng.random() < config.p_ngram:
                n = rng.randint(1, min(MAX_SPAN, len(variant)))
                start = rng.randint(0, len(variant) - n)
                variant = variant[start : start + n]
            key = tuple(variant)
            if key not in seen:
                seen.add(key)
                out.append(variant)
    return out
