"""A distilled student as prediction reads it: plain arrays and one word dictionary, with numpy as
the only import, so that a student's model file loads without scikit-learn or scipy (their imports
alone take longer than scoring a thousand documents) and runs no code but this module's.

A document's scores are the sum of its n-grams' rows of one table (the wide part), plus, through
one hidden ReLU layer, the mean of its wordpieces' rows of the static table already multiplied by
that layer (the deep part) and its six lecture features. See :mod:`.student` for how it is fitted.
"""

from __future__ import annotations

import itertools

import numpy as np

from sentclf.errors import ModelFileError
from sentclf.nn.activations import softmax


def word_ids(docs: list, vocabulary: dict) -> tuple:
    """(ids, lengths): every token's id (-1 when unknown), flat, and each document's token count."""
    flat = list(itertools.chain.from_iterable(docs))
    ids = np.fromiter(map(vocabulary.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
    return ids, np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))


def batch_ids(flat: list, n_docs: int, lookup: dict) -> tuple:
    """(ids, documents, lengths) of a :class:`~sentclf.text.TokenBatch`'s flat list, mapped in one
    pass: ``lookup`` is the vocabulary with the separator at -2, so that the separators give each
    token's document as a running count (no list per document is ever built)."""
    every = np.fromiter(map(lookup.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
    separators = every == -2
    kept = ~separators
    doc_of = np.cumsum(separators)[kept]
    return every[kept], doc_of, np.bincount(doc_of, minlength=n_docs)


def documents_of(lengths: np.ndarray) -> np.ndarray:
    """Each flat token's document: computed once per batch, read by every part below."""
    return np.repeat(np.arange(len(lengths)), lengths)


def ngram_keys(ids: np.ndarray, doc_of: np.ndarray, order: int, size: int) -> tuple:
    """(keys, docs): the int64 key of every ``order``-gram of known words inside one document, and
    which document it is in. A key is the ids read as a base-``size`` number."""
    n = len(ids) - order + 1
    if n <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    valid = doc_of[:n] == doc_of[order - 1 :]
    keys = np.zeros(n, np.int64)
    for k in range(order):
        part = ids[k : k + n]
        valid &= part >= 0
        keys = keys * size + part
    return keys[valid], doc_of[:n][valid]


def lookup(known: np.ndarray, keys: np.ndarray) -> tuple:
    """(positions, hit): where each key sits in the sorted ``known``, and whether it is there."""
    if not len(known):
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
    where = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return where, known[where] == keys


GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing's multiplier: 2^64 over the golden ratio
HASH_FROM_KEYS = 4096  # from this many keys a batch, a hash table pays for its building


class KeyIndex:
    """The sorted ``known`` keys in an open-addressing hash table (linear probing, at most half
    full), built and probed with whole-array operations: :meth:`find` answers what :func:`lookup`
    answers several times faster on a batch, each key one multiply and a probe or two where a
    binary search takes twenty steps through memory."""

    def __init__(self, known: np.ndarray):
        self.known = known
        bits = max(4, int(2 * len(known)).bit_length())
        self.mask = (1 << bits) - 1
        self.shift = np.uint64(64 - bits)
        self.slots = np.full(1 << bits, -1, np.int64)  # a position in known, or -1: empty
        pending = np.arange(len(known))
        home = self.home(known)
        while pending.size:  # each round, one key settles in each free slot wanted; the rest probe on
            wanted = home[pending]
            free = np.flatnonzero(self.slots[wanted] == -1)
            slots, first = np.unique(wanted[free], return_index=True)
            self.slots[slots] = pending[free[first]]
            settled = np.zeros(len(pending), bool)
            settled[free[first]] = True
            pending = pending[~settled]
            home[pending] = (home[pending] + 1) & self.mask

    def home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.view(np.uint64) * GOLDEN) >> self.shift).astype(np.int64)

    def find(self, keys: np.ndarray) -> tuple:
        """(positions, hit), as :func:`lookup` gives them."""
        if not len(self.known):
            return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
        where = np.full(len(keys), -1, np.int64)
        open_ = np.arange(len(keys))
        slot = self.home(keys)
        while open_.size:
            found = self.slots[slot]
            empty = found < 0
            match = ~empty & (self.known[np.maximum(found, 0)] == keys[open_])
            where[open_[match]] = found[match]
            going = ~(empty | match)
            open_, slot = open_[going], (slot[going] + 1) & self.mask
        return np.maximum(where, 0), where >= 0


class WordIndex:
    """:class:`KeyIndex`'s answers for the unigrams, whose keys are word ids below the vocabulary's
    size: one array as long as the vocabulary, read by indexing."""

    def __init__(self, known: np.ndarray, size: int):
        self.slots = np.full(size + 1, -1, np.int64)  # the last slot: any key past the vocabulary
        self.slots[known] = np.arange(len(known))

    def find(self, keys: np.ndarray) -> tuple:
        where = self.slots[np.minimum(keys, len(self.slots) - 1)]
        return np.maximum(where, 0), where >= 0


def ngram_columns(ids: np.ndarray, doc_of: np.ndarray, known_keys: list, size: int, indexes=None) -> tuple:
    """(docs, columns) of every known n-gram occurrence: the n-grams of order k are the columns after
    those of orders below k, in the order of ``known_keys[k - 1]`` (sorted). ``indexes``: a
    :class:`KeyIndex` per order, or None (a binary search)."""
    docs, columns, offset = [], [], 0
    for order, known in enumerate(known_keys, start=1):
        keys, key_docs = ngram_keys(ids, doc_of, order, size)
        where, hit = indexes[order - 1].find(keys) if indexes else lookup(known, keys)
        docs.append(key_docs[hit])
        columns.append(where[hit] + offset)
        offset += len(known)
    return np.concatenate(docs), np.concatenate(columns)


def segment_sums(values: np.ndarray, docs: np.ndarray, n_docs: int) -> np.ndarray:
    """Row sums of ``values`` (a few columns: one per class) grouped by ``docs``, for each of
    ``n_docs`` documents (0 for a document with no rows): one bincount per column."""
    out = np.zeros((n_docs, values.shape[1]), dtype=np.float64)
    for column in range(values.shape[1]):
        out[:, column] = np.bincount(docs, weights=values[:, column], minlength=n_docs)
    return out


SPARSE_MIN_DOCS = 64  # from this many documents a batch's means are a sparse product (scipy's import pays off)


def mean_rows(table: np.ndarray, rows: np.ndarray, docs: np.ndarray, n_docs: int) -> np.ndarray:
    """Each document's mean of ``table[rows]`` (its rows given by ``docs``; 0 for none), as a matrix
    product: (documents × rows, each entry a share of the mean) times the table, sparse for a batch,
    dense over the batch's distinct rows for a few documents (so that scoring one line does not
    import scipy). A gather and a segmented sum of the rows themselves measured several times slower."""
    if n_docs >= SPARSE_MIN_DOCS:
        from scipy import sparse

        counts = np.bincount(docs, minlength=n_docs)
        if len(docs) and (np.diff(docs) < 0).any():  # rows not grouped by document: sort them
            order = np.argsort(docs, kind="stable")
            rows, docs = rows[order], docs[order]
        shares = (1.0 / np.maximum(counts, 1).astype(np.float32))[docs]
        indptr = np.concatenate([[0], np.cumsum(counts)])
        # built as CSR directly (the rows are grouped by document): no COO conversion, no sorting
        return sparse.csr_matrix((shares, rows, indptr), shape=(n_docs, len(table))) @ table
    distinct, where = np.unique(rows, return_inverse=True)
    shares = np.zeros((n_docs, len(distinct)), dtype=np.float32)
    np.add.at(shares, (docs, where), 1.0)
    shares /= np.maximum(shares.sum(axis=1, keepdims=True), 1.0)
    return shares @ table[distinct]


def piece_rows(ids: np.ndarray, doc_of: np.ndarray, offsets: np.ndarray, pieces: np.ndarray) -> tuple:
    """(pieces, docs): the wordpieces of every known word, flat and in order, and their documents."""
    known = ids >= 0
    words, docs = ids[known], doc_of[known]
    counts = offsets[words + 1] - offsets[words]
    piece_docs = np.repeat(docs, counts)
    first = np.repeat(offsets[words] - (np.cumsum(counts) - counts), counts)
    return pieces[first + np.arange(len(piece_docs))], piece_docs


def six_features(ids: np.ndarray, doc_of: np.ndarray, lengths: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """x1..x6 from the words' flags: counts for x1, x2, x4; presence for x3 ("no") and x5 ("!").
    Only the tokens of flagged words are summed (most words have no flag)."""
    flagged = np.append(flags.any(axis=1), False)  # the last: an unknown word's id, -1
    hit = flagged[ids]
    counts = segment_sums(flags[ids[hit]], doc_of[hit], len(lengths))
    counts[:, [2, 4]] = np.minimum(counts[:, [2, 4]], 1)
    return np.hstack([counts, np.log(np.maximum(lengths, 1)).astype(np.float64)[:, None]])


INTEGER_ARRAYS = ("classes_", "word_flags", "piece_offsets", "pieces")


def plain_array(array: np.ndarray) -> tuple:
    """An array as a pickle of builtins holds it: (dtype, shape, bytes)."""
    return array.dtype.str, tuple(int(n) for n in array.shape), np.ascontiguousarray(array).tobytes()


def from_plain(value) -> np.ndarray:
    """The array back from :func:`plain_array` (or as it is: a file written before, read by joblib).
    An object dtype is refused, and bytes that do not fill the shape fail to load."""
    if isinstance(value, np.ndarray):
        return value
    dtype, shape, data = value
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise ModelFileError("a student's array holds Python objects: the file is corrupt or hostile")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


class StudentRuntime:
    """The fitted student's arrays, and its scores: ``predict_proba`` takes token lists, strings or
    a :class:`~sentclf.text.TokenBatch` (read from its flat list: see :func:`batch_ids`)."""

    reads_token_batches = True

    def __init__(self, classes, vocabulary, keys, ngram_weights, word_flags, piece_offsets, pieces, pooled,
                 six_weights, bias_in, output):  # fmt: skip
        self.classes_ = np.asarray(classes)
        self.vocabulary = vocabulary
        self.keys = keys
        self.ngram_weights = ngram_weights
        self.word_flags = word_flags
        self.piece_offsets = piece_offsets
        self.pieces = pieces
        self.pooled = pooled
        self.six_weights = six_weights
        self.bias_in = bias_in
        self.output = output  # (W2, b2) after the hidden layer, or None for a linear student

    def __getstate__(self):
        # a dict of 10⁵ words unpickles slowly through joblib's pure-Python unpickler, one string at a
        # time; one string of them, split on load, is fast (tokens never hold a newline). The float
        # tables go beside the pickle as plain float32 (modelfile.tensors), read without unpickling.
        from sentclf.classify.modelfile.tensors import TensorSet

        state = self.__dict__.copy()
        state.pop("_indexes", None)  # built again when needed
        state.pop("_lookup", None)
        state["vocabulary"] = "\n".join(self.vocabulary)
        floats = {name: state.pop(name) for name in ("ngram_weights", "pooled", "six_weights", "bias_in")}
        if self.output is not None:
            floats["W2"], floats["b2"] = state.pop("output")
        state["floats"] = TensorSet(floats)
        # the other arrays as (dtype, shape, bytes): a pickle of nothing but builtins and these two
        # classes, which the loader reads without joblib (whose import alone is a tenth of a second)
        for name in INTEGER_ARRAYS:
            state[name] = plain_array(state[name])
        state["keys"] = [plain_array(known) for known in self.keys]
        return state

    def __setstate__(self, state):
        floats = state.pop("floats").arrays
        words = state.pop("vocabulary")
        for name in INTEGER_ARRAYS:
            state[name] = from_plain(state[name])
        state["keys"] = [from_plain(known) for known in state["keys"]]
        self.__dict__.update(state)
        names = words.split("\n") if words else []
        self.vocabulary = dict(zip(names, range(len(names))))
        for name in ("ngram_weights", "pooled", "six_weights", "bias_in"):
            setattr(self, name, floats[name])
        self.output = (floats["W2"], floats["b2"]) if "W2" in floats else None

    def key_indexes(self) -> list:
        """A :class:`WordIndex` for the unigrams and a :class:`KeyIndex` per longer n-gram order,
        built on the first batch that is worth it (scoring one line does not wait for them)."""
        if getattr(self, "_indexes", None) is None:
            size = len(self.vocabulary)
            self._indexes = [
                WordIndex(known, size) if order == 1 else KeyIndex(known)
                for order, known in enumerate(self.keys, start=1)
            ]
        return self._indexes

    def separated_vocabulary(self) -> dict:
        """The vocabulary with the TokenBatch separator at -2 (see :func:`batch_ids`)."""
        if getattr(self, "_lookup", None) is None:
            from sentclf.text import SEPARATOR

            self._lookup = {**self.vocabulary, SEPARATOR: -2}
        return self._lookup

    def prepare_for_batches(self) -> None:
        """Build now what the first large batch would build (the key indexes, the separated
        vocabulary, and scipy's import when there is a static table to average): called before
        worker processes are forked, so that they share it rather than each build it again."""
        if len(self.pooled):
            from scipy import sparse  # noqa: F401

        self.key_indexes()
        self.separated_vocabulary()

    def decision_scores(self, X) -> np.ndarray:
        """(documents, classes) scores before the softmax."""
        from sentclf.text import TokenBatch, tokenize

        if isinstance(X, TokenBatch) and X.flat is not None:
            n_docs = len(X)
            ids, doc_of, lengths = batch_ids(X.flat, n_docs, self.separated_vocabulary())
        else:
            docs = (
                X.lists if isinstance(X, TokenBatch) else [doc if isinstance(doc, list) else tokenize(doc) for doc in X]
            )
            ids, lengths = word_ids(docs, self.vocabulary)
            doc_of, n_docs = documents_of(lengths), len(docs)
        indexes = self.key_indexes() if len(ids) >= HASH_FROM_KEYS else None
        ngram_docs, columns = ngram_columns(ids, doc_of, self.keys, len(self.vocabulary), indexes)
        scores = segment_sums(self.ngram_weights[columns], ngram_docs, n_docs)
        first = six_features(ids, doc_of, lengths, self.word_flags) @ self.six_weights + self.bias_in
        if len(self.pooled):
            pieces, piece_docs = piece_rows(ids, doc_of, self.piece_offsets, self.pieces)
            first += mean_rows(self.pooled, pieces, piece_docs, n_docs)
        if self.output is None:
            return scores + first
        weights, bias = self.output
        return scores + np.maximum(first, 0) @ weights + bias

    def predict_proba(self, X) -> np.ndarray:
        return softmax(self.decision_scores(X), axis=1)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
