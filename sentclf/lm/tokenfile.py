"""The training text as token ids on disk, so ``lm train`` holds neither the text nor its ids in memory.

Pass 1 tokenizes each document once and appends its provisional ids (numbered by first appearance)
to a file, keeping only each document's length. Then the held-out documents are drawn (seeded, by
document, as before), the vocabulary is counted over the training documents, and pass 2 rewrites the
ids, a chunk of documents at a time, into two padded :class:`~sentclf.lm.stream.Stream` files
(training and held-out), memory-mapped int32. They live in a scratch folder beside the cache that
is removed when training ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentclf.lm import stream as streams
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import pad_documents, split_documents, vocabulary_from_counts
from sentclf.lm.stream import Stream, from_file, map_ids, release
from sentclf.paths import cache_dir
from sentclf.text import tokenize


@dataclass
class Prepared:
    """What the two passes made: the vocabulary and its counts, the streams, and the text's summary."""

    vocab: list
    counts: np.ndarray
    train: Stream
    held: Stream | None
    documents: int
    sha256: str


@contextlib.contextmanager
def scratch_folder():
    """A temporary folder in sentclf's cache (a real disk, where /tmp may be memory), else in the
    system's temporary folder; removed afterwards with everything in it. Its name carries the host
    and process id, so folders left by killed runs on this host are removed by the next one."""
    prefix = f"lm-{socket.gethostname()}-{os.getpid()}-"
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        remove_orphans(cache_dir())
        folder = tempfile.TemporaryDirectory(prefix=prefix, dir=cache_dir())
    except OSError:
        folder = tempfile.TemporaryDirectory(prefix="sentclf-" + prefix)
    with folder as name:
        yield Path(name)


def remove_orphans(cache: Path) -> list:
    """Remove the scratch folders in ``cache`` made on this host by processes that no longer run."""
    removed = []
    for folder in cache.glob(f"lm-{socket.gethostname()}-*-*"):
        pid = folder.name.removeprefix(f"lm-{socket.gethostname()}-").split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def first_pass(texts, path: Path) -> tuple:
    """Tokenize every document once, writing provisional ids to ``path``: (document lengths (empty
    documents left out), words in order of first appearance, documents read, sha256 of the text)."""
    index: dict = {}
    lengths, pending = array("i"), array("i")
    digest, documents = hashlib.sha256(), 0
    with open(path, "wb") as raw:
        for text in texts:
            documents += 1
            digest.update(text.encode("utf-8", "surrogatepass") + b"\n")
            tokens = tokenize(text)
            if not tokens:
                continue
            pending.extend([index.setdefault(token, len(index)) for token in tokens])
            lengths.append(len(tokens))
            if len(pending) >= streams.CHUNK:
                raw.write(pending.tobytes())
                pending = array("i")
        raw.write(pending.tobytes())
    return np.frombuffer(lengths, dtype=np.int32).copy(), list(index), documents, digest.hexdigest()


def document_chunks(lengths: np.ndarray, ids_map=None):
    """(first document, end document, first token, end token) of runs of whole documents of about
    :data:`~sentclf.lm.stream.CHUNK` tokens (a longer document is a run of its own). The pages of
    ``ids_map`` read are released after each run."""
    starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    bounds = np.unique(np.searchsorted(starts, np.arange(0, starts[-1], streams.CHUNK), side="right") - 1)
    bounds = np.append(bounds, len(lengths)) if len(lengths) else bounds
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield lo, hi, int(starts[lo]), int(starts[hi])
        release(ids_map)


def prepare(texts, config: LMConfig, folder: Path) -> Prepared:
    """The two passes over ``texts`` (any iterable of strings, read once) into streams in ``folder``,
    padded for both the network's window and the baseline's order."""
    pad = max(config.window, config.ngram_order - 1)
    lengths, words, documents, sha256 = first_pass(texts, folder / "provisional.i32")
    ids, ids_map = map_ids(folder / "provisional.i32", int(lengths.sum(dtype=np.int64)))
    held_mask = split_documents(lengths, config.holdout, config.seed)
    counts = np.zeros(len(words), dtype=np.int64)
    for lo, hi, a, b in document_chunks(lengths, ids_map):
        keep = np.repeat(~held_mask[lo:hi], lengths[lo:hi])
        counts += np.bincount(np.asarray(ids[a:b])[keep], minlength=len(words))
    vocab, mapping, kept = vocabulary_from_counts(counts, words, config.min_count, config.max_vocab)
    train = _write_stream(folder / "train.i32", (ids, ids_map), lengths, ~held_mask, mapping, pad)
    held = None
    if held_mask.any():
        held = _write_stream(folder / "heldout.i32", (ids, ids_map), lengths, held_mask, mapping, pad)
    return Prepared(vocab, kept, train, held, documents, sha256)


def _write_stream(path: Path, provisional: tuple, lengths, chosen: np.ndarray, mapping: np.ndarray, pad: int) -> Stream:
    """The chosen documents, mapped to vocabulary ids and padded, written to ``path`` and mapped back
    (``provisional``: the first pass's ids and their memory map)."""
    ids, ids_map = provisional
    size = 0
    with open(path, "wb") as raw:
        for lo, hi, a, b in document_chunks(lengths, ids_map):
            keep = np.repeat(chosen[lo:hi], lengths[lo:hi])
            piece = pad_documents(mapping[np.asarray(ids[a:b])[keep]], lengths[lo:hi][chosen[lo:hi]], pad)
            raw.write(piece.tobytes())
            size += len(piece)
    n_documents = int(chosen.sum())
    return from_file(path, pad, n_documents, int(lengths[chosen].sum(dtype=np.int64)) + n_documents, size)
