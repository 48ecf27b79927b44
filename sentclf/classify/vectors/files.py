"""Word-vector files: GloVe text, word2vec text and binary, fastText .vec; plain, .gz or .bz2.

The file is streamed once and only the rows that are needed are parsed and kept: the words of a
given vocabulary (case-folded: a file's "Good" serves the token "good" when no "good" row exists)
plus the first ``keep_top`` rows (vector files list the most frequent words first). Peak memory is
proportional to what is kept, not to the file. Duplicate words are tolerated: the first row wins
and the rest are counted. Problems are :class:`~sentclf.errors.VectorsError` naming file and line.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sentclf.classify.vectors.embedding_config import VECTOR_FORMATS
from sentclf.errors import VectorsError

_HEADER = re.compile(rb"^\s*(\d+)\s+(\d+)\s*$")
_PARSE_BATCH = 4096
_PROGRESS_STEP = 1 << 20


@dataclass
class VectorTable:
    """Kept words and their vectors (float32), plus where they came from."""

    words: list
    matrix: np.ndarray
    source: str
    sha256: str
    fmt: str
    n_file_words: int = 0
    n_duplicates: int = 0
    index: dict = field(default_factory=dict, repr=False, compare=False)  # word → row; built when not given

    def __post_init__(self):
        if len(self.index) != len(self.words):
            self.index = {word: row for row, word in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def __getstate__(self):  # the index is rebuilt on load rather than pickled
        return {k: v for k, v in self.__dict__.items() if k != "index"}

    def __setstate__(self, state):
        self.__dict__.update(state, index={})
        self.__post_init__()


class _HashingReader(io.RawIOBase):
    """Reads a file while hashing every byte and reporting progress."""

    def __init__(self, raw, progress):
        self.raw, self.progress, self.digest, self.done, self._reported = raw, progress, hashlib.sha256(), 0, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
            self.done += n
            if self.progress and self.done - self._reported >= _PROGRESS_STEP:
                self.progress(self.done - self._reported)
                self._reported = self.done
        return n

    def finish(self) -> str:
        while self.read(1 << 20):
            pass
        if self.progress:
            self.progress(self.done - self._reported)
        return self.digest.hexdigest()


def _open(path: Path, progress):
    try:
        raw = open(path, "rb")  # noqa: SIM115 - handed to the reader; read_vectors closes it
    except FileNotFoundError:
        raise VectorsError(f"{path}: vectors file not found") from None
    except OSError as exc:
        raise VectorsError(f"{path}: cannot read ({exc.strerror})") from None
    magic = raw.read(3)
    raw.seek(0)
    hashing = _HashingReader(raw, progress)
    buffered = io.BufferedReader(hashing, 1 << 20)
    if magic[:2] == b"\x1f\x8b":
        return hashing, io.BufferedReader(gzip.GzipFile(fileobj=buffered), 1 << 20)
    if magic == b"BZh":
        return hashing, io.BufferedReader(bz2.BZ2File(buffered), 1 << 20)
    return hashing, buffered


def detect_format(path: Path, head: bytes) -> str:
    """glove (no header), word2vec (text with a 'count dim' header) or word2vec-bin (header, raw floats)."""
    first, _, rest = head.partition(b"\n")
    if not _HEADER.match(first):
        return "glove"
    if path.name.removesuffix(".gz").removesuffix(".bz2").endswith(".bin") or b"\x00" in rest[:4096]:
        return "word2vec-bin"
    return "word2vec"


class _Keeper:
    """Decides which rows to keep and collects them."""

    def __init__(self, vocab, keep_top: int, fold_case: bool):
        self.vocab, self.keep_top, self.fold_case = vocab, keep_top, fold_case
        self.index: dict = {}
        self.n_rows, self.n_duplicates = 0, 0
        self.blocks: list = []
        self.matrix: np.ndarray | None = None
        self.filled = 0
        self.max_prealloc = 0  # bytes the file could hold at most: a header asking for more is not trusted

    def key(self, word: str):
        """The key to keep this row under, or None to skip it."""
        self.n_rows += 1
        key = word.lower() if self.fold_case else word
        if key in self.index:
            self.n_duplicates += 1
            return None
        if self.vocab is None or self.n_rows <= self.keep_top or key in self.vocab:
            self.index[key] = len(self.index)
            return key
        return None

    def expect(self, count: int, dim: int) -> None:
        """Keeping every row of a file whose header gives the count: fill one preallocated matrix."""
        if self.vocab is None and count * dim * 4 <= self.max_prealloc:
            self.matrix = np.empty((count, dim), dtype=np.float32)

    def add(self, block: np.ndarray) -> None:
        if self.matrix is not None and self.filled + len(block) <= len(self.matrix):
            self.matrix[self.filled : self.filled + len(block)] = block
        else:
            self.blocks.append(block)
        self.filled += len(block)

    def result(self, dim: int) -> np.ndarray:
        if self.matrix is not None and not self.blocks:
            return self.matrix[: self.filled]
        parts = ([self.matrix[: self.filled]] if self.matrix is not None else []) + self.blocks
        return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)


def read_vectors(
    path, fmt: str | None = None, vocab=None, keep_top: int = 0, progress=None, fold_case: bool = True
) -> VectorTable:
    """Stream a vectors file; keep ``vocab`` words plus the first ``keep_top`` rows (``vocab=None``: all).

    With ``fold_case`` rows are keyed by their lower-cased word and the first spelling wins (the
    tokenizer lower-cases, so "Good" serves "good"); without it words are kept exactly as spelled.
    ``progress(n_bytes)`` is called as the (compressed) file is read.
    """
    path = Path(path)
    if fmt is not None and fmt not in VECTOR_FORMATS:
        raise VectorsError(f"unknown vectors format '{fmt}': choose one of {', '.join(VECTOR_FORMATS)}")
    hashing, stream = _open(path, progress)
    keeper = _Keeper(None if vocab is None else set(vocab), keep_top, fold_case)
    # text needs 2 bytes a value at least, binary 4; gzip rarely shrinks numbers 8-fold
    keeper.max_prealloc = 2 * path.stat().st_size * (8 if path.suffix == ".gz" else 1)
    try:
        return _read_all(stream, hashing, path, fmt, keeper)
    finally:
        hashing.raw.close()


def _read_all(stream, hashing, path: Path, fmt, keeper: _Keeper) -> VectorTable:
    with stream:
        try:
            head = stream.peek(1 << 16)[: 1 << 16]
        except (OSError, EOFError) as exc:
            raise VectorsError(f"{path}: cannot decompress ({exc})") from None
        if not head.strip():
            raise VectorsError(f"{path}: is empty: it holds no vectors")
        fmt = {"fasttext": "word2vec"}.get(fmt, fmt) or detect_format(path, head)
        reader = _read_binary if fmt == "word2vec-bin" else _read_text
        try:
            matrix = reader(stream, path, fmt, keeper)
        except (OSError, EOFError) as exc:
            raise VectorsError(f"{path}: the file is corrupt or truncated ({exc})") from None
        sha256 = hashing.finish()
    return VectorTable(
        list(keeper.index), matrix, str(path), sha256, fmt, keeper.n_rows, keeper.n_duplicates, keeper.index
    )


def _header(line: bytes, path: Path) -> tuple:
    match = _HEADER.match(line)
    if not match:
        raise VectorsError(f"{path} line 1: expected a 'count dim' header, found {line[:40]!r}")
    count, dim = int(match.group(1)), int(match.group(2))
    if dim == 0:
        raise VectorsError(f"{path} line 1: the header declares a dimension of 0")
    return count, dim


def _parse_rows(chunk: list, dim: int, path: Path) -> np.ndarray:
    """Parse kept rows [(line_no, values bytes)] at C speed; on failure, find the bad line."""
    with warnings.catch_warnings():  # unparsable text is a DeprecationWarning today, an error tomorrow
        warnings.simplefilter("error", DeprecationWarning)
        try:
            values = np.fromstring(b" ".join(v for _, v in chunk), dtype=np.float32, sep=" ")
        except (DeprecationWarning, ValueError):
            values = np.zeros(0, dtype=np.float32)
    if values.size == len(chunk) * dim and np.isfinite(values).all():
        return values.reshape(len(chunk), dim)
    for number, raw in chunk:
        try:
            row = np.array(raw.split(), dtype=np.float32)
        except ValueError:
            row = None
        if row is None or not np.isfinite(row).all():
            raise VectorsError(f"{path} line {number}: values that are not numbers: {raw[:40]!r}...")
    raise VectorsError(f"{path}: could not parse the vectors")  # pragma: no cover - unreachable


def _read_text(stream, path: Path, fmt: str, keeper: _Keeper) -> np.ndarray:
    declared, dim, number = None, None, 0
    chunk = []
    for number, line in enumerate(stream, start=1):
        if number == 1 and fmt == "word2vec":
            declared, dim = _header(line, path)
            keeper.expect(declared, dim)
            continue
        line = line.rstrip()
        if not line:
            continue
        word, _, values = line.partition(b" ")
        n_values = values.count(b" ") + 1 if values else 0
        if dim is None:
            if n_values == 0:
                raise VectorsError(f"{path} line {number}: a word with no values (dimension 0)")
            dim = n_values
        if n_values != dim:
            if b"\x00" in line:
                raise VectorsError(
                    f"{path} line {number}: this looks like a binary file: try --embeddings-format word2vec-bin"
                )
            raise VectorsError(f"{path} line {number}: {n_values} values where the file has {dim}")
        try:
            text_word = word.decode("utf-8")
        except UnicodeDecodeError:
            raise VectorsError(
                f"{path} line {number}: the word is not UTF-8 text: is this a binary file? "
                "try --embeddings-format word2vec-bin"
            ) from None
        if keeper.key(text_word) is not None:
            chunk.append((number, values))
            if len(chunk) >= _PARSE_BATCH:
                keeper.add(_parse_rows(chunk, dim or 0, path))
                chunk = []
    if chunk:
        keeper.add(_parse_rows(chunk, dim or 0, path))  # rows are kept only once the first row set dim
    return _finish(dim, declared, keeper, path)


def _finish(dim, declared, keeper: _Keeper, path: Path) -> np.ndarray:
    if dim is None or keeper.n_rows == 0:
        raise VectorsError(f"{path}: holds no vectors")
    if declared is not None and declared != keeper.n_rows:
        raise VectorsError(f"{path}: the header declares {declared} words but the file holds {keeper.n_rows}")
    return keeper.result(dim)


NUMBER_TEXT = set(b"0123456789.-+eE \t\r\n")  # what a text vector's bytes are made of


def _read_binary(stream, path: Path, fmt: str, keeper: _Keeper) -> np.ndarray:
    declared, dim = _header(stream.readline(), path)
    keeper.expect(declared, dim)
    width, rows, buffer, pos = dim * 4, [], b"", 0
    for number in range(2, declared + 2):
        space = buffer.find(b" ", pos)
        while space < 0 or len(buffer) < space + 1 + width:
            more = stream.read(1 << 20)
            if not more:
                raise VectorsError(
                    f"{path}: the header declares {declared} words but the file ends after "
                    f"{number - 2}: it is truncated"
                )
            buffer, pos = buffer[pos:] + more, 0
            space = buffer.find(b" ", pos)
        word = buffer[pos:space].lstrip(b"\n").decode("utf-8", errors="replace")
        if number == 2 and set(buffer[space + 1 : space + 1 + width]) <= NUMBER_TEXT:
            raise VectorsError(
                f"{path} line 2: the vector's bytes are text (digits and spaces), not binary floats: "
                "use --embeddings-format word2vec"
            )
        if keeper.key(word) is not None:
            rows.append(np.frombuffer(buffer, dtype="<f4", count=dim, offset=space + 1))
            if len(rows) >= _PARSE_BATCH:
                keeper.add(np.vstack(rows).astype(np.float32))
                rows = []
        pos = space + 1 + width
    if rows:
        keeper.add(np.vstack(rows).astype(np.float32))
    if buffer[pos:].strip() or stream.read(1).strip():
        raise VectorsError(f"{path}: more data after the {declared} words the header declares")
    return _finish(dim, None, keeper, path)
