"""Token lists packed into numpy arrays, for joblib's worker processes (``compare --jobs N``).

joblib sends numpy arrays to its workers as raw buffers (memory-mapped when large), but a list of
token lists is pickled string by string into every task: megabytes of small objects dumped and
loaded again for each fold, enough to make ``--jobs 2`` slower than ``--jobs 1`` (bench/README.md).
:class:`PackedTokens` holds the same tokens as four arrays (each token's vocabulary id, where each
document starts, the vocabulary's UTF-8 bytes and where each word starts); a task unpacks them in
a few milliseconds.
"""

from __future__ import annotations

import itertools

import numpy as np


class PackedTokens:
    """A list of token lists as four numpy arrays; :meth:`unpack` gives the lists back."""

    def __init__(self, tokens: list):
        vocabulary: dict = {}
        self.ids = np.fromiter(
            (vocabulary.setdefault(token, len(vocabulary)) for doc in tokens for token in doc), dtype=np.int32
        )
        self.starts = np.cumsum([0, *map(len, tokens)], dtype=np.int64)
        encoded = [word.encode("utf-8", "surrogatepass") for word in vocabulary]
        self.chars = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self.word_starts = np.cumsum([0, *map(len, encoded)], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def unpack(self) -> list:
        data = self.chars.tobytes()
        bounds = self.word_starts.tolist()
        words = np.array(
            [data[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)] or [""],
            dtype=object,
        )
        flat = words[self.ids].tolist()
        starts = self.starts.tolist()
        return [flat[a:b] for a, b in itertools.pairwise(starts)]


def shared_tokens(tokens: list, jobs: int):
    """``tokens`` as joblib tasks should get them: the list itself in this process (``jobs == 1``),
    else packed (see the module's docstring)."""
    return tokens if jobs == 1 else PackedTokens(tokens)


def unpacked(tokens) -> list:
    return tokens.unpack() if isinstance(tokens, PackedTokens) else tokens
