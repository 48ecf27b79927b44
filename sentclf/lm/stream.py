"""Documents as one array of token ids, each padded as ``<s>``×pad w1 … wn ``</s>``, in memory or
memory-mapped from a file, and read a chunk at a time, so memory stays flat however long the text.

Every token but ``<s>`` is predicted; its context is the ``pad`` (or fewer) tokens before it, which
never reach into the previous document. The neural model reads ``window`` of them, the Kneser-Ney
baseline ``order − 1``: one stream padded for the larger serves both.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclf.lm.encoding import BOS_ID, UNK_ID, Encoded, padded_stream

CHUNK = 1 << 20  # tokens read at a time
WINDOW = 1 << 17  # training shuffles windows of this many tokens…
GROUP = 8  # …this many at a time, drawn at random, their positions shuffled together


@dataclass
class Stream:
    """The padded token ids (over a memory map when read from disk), the padding, and what they hold."""

    tokens: np.ndarray
    pad: int
    documents: int
    n_tokens: int  # predicted tokens: every word and each document's </s>
    mapping: mmap.mmap | None = None  # the map under ``tokens``, if any

    def release(self) -> None:
        release(self.mapping)

    @property
    def words(self) -> int:
        return self.n_tokens - self.documents

    def bounds(self, size: int) -> list:
        """(start, stop) of consecutive chunks of ``size`` tokens."""
        return [(start, min(start + size, len(self.tokens))) for start in range(0, len(self.tokens), size)]

    def spans(self, size: int | None = None):
        """(start, stop) of consecutive chunks of ``tokens`` (of :data:`CHUNK` tokens by default), the
        pages read released after each one."""
        for span in self.bounds(size or CHUNK):
            yield span
            self.release()

    def positions(self, start: int, stop: int) -> np.ndarray:
        """The indices in ``tokens[start:stop]`` of the predicted tokens (every one but ``<s>``)."""
        return start + np.flatnonzero(np.asarray(self.tokens[start:stop]) != BOS_ID)

    def contexts(self, positions: np.ndarray, width: int) -> np.ndarray:
        """The (len(positions), width) matrix of the tokens before each position (``width`` ≤ pad)."""
        return np.asarray(self.tokens[positions[:, None] + np.arange(-width, 0)])

    def oov_rate(self) -> float:
        """The share of the words (not the ``</s>``) that are ``<unk>``."""
        unknown = sum(int(np.count_nonzero(np.asarray(self.tokens[a:b]) == UNK_ID)) for a, b in self.spans())
        return unknown / self.words if self.words else 0.0


def release(mapping: mmap.mmap | None) -> None:
    """Drop the pages of a memory map read so far from this process's memory (they stay in the page
    cache, to be mapped again on the next read): without it, every page of the file an epoch has read
    counts in the process's resident memory, which would grow with the text."""
    if mapping is not None:
        mapping.madvise(mmap.MADV_DONTNEED)


def map_ids(path: Path, length: int) -> tuple:
    """(``length`` int32 values of a file, read-only over a memory map; the map): an empty array and
    None for none."""
    if not length:
        return np.empty(0, dtype=np.int32), None
    with open(path, "rb") as handle:
        mapping = mmap.mmap(handle.fileno(), 4 * length, access=mmap.ACCESS_READ)
    return np.frombuffer(mapping, dtype=np.int32, count=length), mapping


def from_file(path: Path, pad: int, documents: int, n_tokens: int, length: int) -> Stream:
    """The stream of ``length`` ids in ``path``, memory-mapped."""
    tokens, mapping = map_ids(path, length)
    return Stream(tokens, pad, documents, n_tokens, mapping)


def from_encoded(data: Encoded, pad: int) -> Stream:
    """An in-memory stream of encoded documents."""
    tokens, positions = padded_stream(data, pad)
    return Stream(tokens, pad, len(data.lengths), len(positions))


def as_stream(data: Encoded | Stream, pad: int) -> Stream:
    """``data`` as a stream padded by at least ``pad``."""
    if isinstance(data, Stream):
        if data.pad < pad:
            raise ValueError(f"a stream padded by {data.pad} cannot give contexts of {pad}")
        return data
    return from_encoded(data, pad)


def shuffled_batches(stream: Stream, rng: np.random.Generator, size: int):
    """The predicted positions in batches of ``size``, in an order shuffled without an array of every
    position: :data:`GROUP` windows are drawn at random and their positions shuffled together. A text
    of at most GROUP windows is shuffled as a whole."""
    windows = stream.bounds(WINDOW)  # WINDOW and GROUP read at call time: tests shrink them
    order = rng.permutation(len(windows)) if len(windows) > GROUP else np.arange(len(windows))
    pending = np.empty(0, dtype=np.int64)
    for g in range(0, len(windows), GROUP):
        group = [stream.positions(*windows[i]) for i in order[g : g + GROUP]]
        pending = np.concatenate([pending, rng.permutation(np.concatenate(group))])
        whole = len(pending) // size * size
        yield from (pending[s : s + size] for s in range(0, whole, size))
        pending = pending[whole:]
        stream.release()
    if len(pending):
        yield pending
