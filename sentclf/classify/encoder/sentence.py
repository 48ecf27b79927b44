"""The sentence encoder as a whole: texts in, L2-normalized 384-dimensional vectors out, on the
numpy reference (:mod:`.forward`) or onnxruntime (:mod:`.graph`), in length-sorted batches.

Long documents: sentence-transformers truncates at 256 wordpieces, which reads a third of a movie
review. Here a longer text is read sentence by sentence (``reading="sentences"``, cut after ".",
"!" and "?"; a sentence over 256 wordpieces in windows of 256), each piece with the text's [CLS] and
[SEP], and its vector is the mean of the pieces' vectors weighted by their lengths, L2-normalized;
texts that fit in 256 wordpieces get exactly the reference vector. The encoder was trained on
sentences, and reads a review better that way than in windows of 256 wordpieces
(``reading="windows"``, what models saved before keep; bench/README.md compares the two).
The tokenizer pads nothing: texts are sorted by length and batched, so a batch pads only to its own
longest text.
"""

from __future__ import annotations

import numpy as np

from sentclf import progress
from sentclf.classify.encoder.forward import forward
from sentclf.classify.encoder.weights import MAX_TOKENS, load_weights
from sentclf.classify.features import parse_feature_set
from sentclf.errors import VectorsError
from sentclf.nn.threads import Workers

PROGRESS_MIN_PIECES = 1000  # encoding this many windows or more reports progress
BACKENDS = ("auto", "onnx", "numpy")
READINGS = ("sentences", "windows")  # how a text over MAX_TOKENS is read (see the module's docstring)
SENTENCE_ENDS = (".", "!", "?")


def encoder_for(feature_sets) -> SentenceEncoder | None:
    """One encoder for every pipeline that the feature sets build, or None when none uses it."""
    return SentenceEncoder() if any("encoder" in parse_feature_set(s) for s in feature_sets) else None


class SentenceEncoder:
    """Texts in, L2-normalized 384-dimensional vectors out, in length-sorted batches.

    ``backend``: ``onnx`` runs the same network through onnxruntime (:mod:`.graph`), which fuses the
    LayerNorms and the GELU (bench/README.md compares the two); ``numpy`` runs :func:`.forward.forward`;
    ``auto`` takes onnxruntime when it is installed.

    ``loaded``: (weights, tokenizer) already in memory, such as a fine-tuned encoder's, instead of the
    installed model's; ``normalize`` False returns the mean of the last layer as it is.
    """

    def __init__(
        self,
        folder=None,
        batch_tokens: int = 1024,
        backend: str = "auto",
        workers: Workers | None = None,
        loaded: tuple | None = None,
        normalize: bool = True,
    ):
        if backend not in BACKENDS:
            raise VectorsError(f"unknown encoder backend '{backend}': choose one of {', '.join(BACKENDS)}")
        self.weights, self.tokenizer = load_weights(folder) if loaded is None else loaded
        self.folder, self.batch_tokens, self.normalize = folder, batch_tokens, normalize
        self.workers = workers or Workers()
        self.session = None
        ends = (self.tokenizer.token_to_id(mark) for mark in SENTENCE_ENDS)
        self.sentence_ends = frozenset(i for i in ends if i is not None)
        if backend != "numpy":
            from sentclf.classify.encoder.graph import session

            try:
                self.session = session(self.weights, self.workers.n_threads, normalize)
            except ImportError:
                if backend == "onnx":
                    raise VectorsError(
                        "the onnx backend needs onnx and onnxruntime: pip install onnx onnxruntime"
                    ) from None

    def __deepcopy__(self, memo):  # read-only once loaded: pipelines that clone their parameters share it
        return self

    def __reduce__(self):  # a process that receives an encoder loads its own from the installed package
        if self.weights.tuned:
            raise VectorsError("a fine-tuned encoder's network is not pickled: its model file holds its weights")
        return (type(self), (self.folder, self.batch_tokens, self.backend))

    @property
    def width(self) -> int:
        return self.weights.width

    @property
    def backend(self) -> str:
        return "numpy" if self.session is None else "onnx"

    @property
    def sha256(self) -> str:
        return self.weights.sha256

    def token_ids(self, texts: list) -> list:
        """WordPiece ids of each text, with [CLS] and [SEP], whole (see :meth:`windows`)."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def windows(self, ids: list, reading: str = "sentences") -> list:
        """One text's ids as pieces of at most MAX_TOKENS, each with the text's [CLS] and [SEP]: the
        text itself when it fits, else its sentences (``reading="sentences"``) or the whole body, cut
        into windows of MAX_TOKENS."""
        if len(ids) <= MAX_TOKENS:
            return [ids]
        if reading not in READINGS:
            raise VectorsError(f"unknown reading '{reading}': choose one of {', '.join(READINGS)}")
        body, step = ids[1:-1], MAX_TOKENS - 2
        parts = self.sentences(body) if reading == "sentences" else [body]
        return [[ids[0], *part[i : i + step], ids[-1]] for part in parts for i in range(0, len(part), step)]

    def sentences(self, body: list) -> list:
        """``body`` cut after each run of sentence-ending marks ("!!!" and "..." end one sentence)."""
        ends, parts, start = self.sentence_ends, [], 0
        for i, piece in enumerate(body[:-1]):
            if piece in ends and body[i + 1] not in ends:
                parts.append(body[start : i + 1])
                start = i + 1
        return [*parts, body[start:]] if start < len(body) else parts

    def encode(self, texts: list, reading: str = "sentences") -> np.ndarray:
        """(len(texts), 384) L2-normalized vectors; a long text is the length-weighted mean of its pieces
        (:meth:`windows`; with ``normalize`` False, the mean of its pieces' means, weighted by their lengths)."""
        per_text = [self.windows(ids, reading) for ids in self.token_ids(texts)]
        pieces = [window for windows in per_text for window in windows]
        reporting = len(pieces) >= PROGRESS_MIN_PIECES
        if reporting:
            progress.start("encode", len(pieces), f"encoding {len(texts):,} documents with all-MiniLM-L6-v2")
        vectors = self.encode_ids(pieces, reporting)
        if reporting:
            progress.finish("encode")
        if len(pieces) == len(per_text):
            return vectors
        owner = np.repeat(np.arange(len(per_text)), [len(windows) for windows in per_text])
        lengths = np.array([len(window) for window in pieces], dtype=np.float32)
        out = np.zeros((len(per_text), self.weights.width), dtype=np.float32)
        np.add.at(out, owner, vectors * lengths[:, None])
        if not self.normalize:
            return out / np.bincount(owner, weights=lengths)[:, None].astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def encode_ids(self, ids: list, reporting: bool = False) -> np.ndarray:
        """(len(ids), width) vectors of wordpiece id sequences as they are (each within MAX_TOKENS)."""
        out = np.zeros((len(ids), self.weights.width), dtype=np.float32)
        for chosen in length_batches([len(row) for row in ids], self.batch_tokens):
            longest = len(ids[chosen[-1]])
            batch = np.zeros((len(chosen), longest), dtype=np.int64)
            mask = np.zeros((len(chosen), longest), dtype=np.float32)
            for row, i in enumerate(chosen):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1.0
            out[chosen] = (
                forward(self.weights, batch, mask, self.workers, self.normalize)
                if self.session is None
                else self.session.run(["vectors"], {"ids": batch, "mask": mask})[0]
            )
            if reporting:
                progress.advance("encode", len(chosen))
        return out


def length_batches(lengths, budget: int, rows=None) -> list:
    """Index arrays that cut items, sorted by length, into batches whose padding (items' ``rows``,
    1 each by default, times the batch's longest length) stays within ``budget`` tokens; an item
    longer than that is a batch of its own. Ascending lengths: a batch pads only to its last item."""
    lengths = np.asarray(lengths)
    rows = np.ones(len(lengths), dtype=np.int64) if rows is None else np.asarray(rows)
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        stop, count = start + 1, rows[order[start]]
        while stop < len(order) and (count + rows[order[stop]]) * lengths[order[stop]] <= budget:
            count += rows[order[stop]]
            stop += 1
        batches.append(order[start:stop])
        start = stop
    return batches
