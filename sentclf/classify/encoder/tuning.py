"""The sentence encoder as a network to train: its top K layers (all of them, and the embeddings,
if asked) and a classification head on the mean-pooled last layer, over documents cut into windows
as :class:`.sentence.SentenceEncoder` cuts them.

The layers below the tuned ones never change, so their output for every window is computed once, in
length-sorted batches, and kept (:meth:`TunableEncoder.prepare`); a training step then runs only the
tuned layers forward and back (:mod:`.backprop`). A document's vector is the mean of its windows'
means weighted by their lengths, exactly as prediction computes it through the ONNX graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sentclf.classify.encoder import backprop as bp
from sentclf.classify.encoder.forward import hidden_states
from sentclf.classify.encoder.sentence import length_batches
from sentclf.classify.encoder.weights import EncoderWeights
from sentclf.nn.threads import Workers

HEAD_INIT = 0.02  # BERT's initializer range, for the new classification head
PREPARE_TOKENS = 4096  # padded tokens per batch when the frozen layers' outputs are computed


@dataclass
class Windows:
    """Documents as windows of wordpiece ids: ``owner[w]`` is window w's document; ``states`` (once
    prepared) holds every window's rows out of the frozen layers, one after another from ``offsets``."""

    ids: list
    owner: np.ndarray
    n_docs: int
    states: np.ndarray | None = None
    offsets: np.ndarray | None = None
    lengths: np.ndarray = field(init=False)
    of_docs: list = field(init=False)  # for each document, the indices of its windows
    doc_lengths: np.ndarray = field(init=False)  # for each document, its wordpieces over all its windows

    def __post_init__(self):
        self.lengths = np.array([len(w) for w in self.ids], dtype=np.int64)
        self.doc_lengths = np.bincount(self.owner, weights=self.lengths, minlength=self.n_docs).astype(np.int64)
        order = np.argsort(self.owner, kind="stable")
        self.of_docs = np.split(order, np.cumsum(np.bincount(self.owner, minlength=self.n_docs))[:-1])


def windows_of(encoder, texts: list, reading: str = "sentences") -> Windows:
    """Cut documents into windows with the encoder's tokenizer (:meth:`SentenceEncoder.windows`)."""
    per_doc = [encoder.windows(ids, reading) for ids in encoder.token_ids(texts)]
    ids = [np.asarray(w, dtype=np.int64) for windows in per_doc for w in windows]
    owner = np.repeat(np.arange(len(per_doc)), [len(w) for w in per_doc])
    return Windows(ids, owner, len(per_doc))


class TunableEncoder:
    """The trainable part: the top ``n_layers`` layers of ``base`` (with ``tune_embeddings``, every
    layer and the embedding tables) and a ``width × n_classes`` softmax head, as one dict of float32
    arrays (``params``) that an optimizer updates in place."""

    def __init__(
        self,
        base: EncoderWeights,
        n_layers: int,
        n_classes: int,
        seed: int = 0,
        tune_embeddings: bool = False,
        dropout: float = 0.1,
        workers: Workers | None = None,
    ):
        depth = len(base.layers)
        self.base, self.tune_embeddings, self.dropout = base, tune_embeddings, dropout
        self.first = 0 if tune_embeddings else depth - n_layers  # the lowest tuned layer
        self.workers = workers or Workers()
        self.params: dict = {}
        for i in range(self.first, depth):
            self.params.update({f"l{i}.{k}": v.copy() for k, v in bp.flat_layer(base.layers[i]).items()})
        if tune_embeddings:
            emb = base.embeddings
            for name, value in (("word", emb["word"]), ("position", emb["position"]), ("segment", emb["segment"])):
                self.params[name] = value.copy()
            self.params["ln.g"], self.params["ln.b"] = emb["ln"][0].copy(), emb["ln"][1].copy()
        rng = np.random.default_rng(seed)
        self.params["head.w"] = rng.normal(0, HEAD_INIT, (base.width, n_classes)).astype(np.float32)
        self.params["head.b"] = np.zeros(n_classes, dtype=np.float32)

    @property
    def layer_names(self) -> list:
        return [f"l{i}" for i in range(self.first, len(self.base.layers))]

    def prepare(self, windows: Windows) -> Windows:
        """``windows`` with the frozen layers' output for each window (nothing to do when the
        embeddings are tuned: a step starts from the ids)."""
        if self.tune_embeddings:
            return windows
        lengths = windows.lengths
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        states = np.empty((int(offsets[-1]), self.base.width), dtype=np.float32)
        run = self._frozen_runner()
        for chosen in length_batches(lengths, PREPARE_TOKENS):
            ids, mask = padded([windows.ids[i] for i in chosen])
            rows = run(ids, mask).reshape(len(chosen), ids.shape[1], -1)
            for row, i in enumerate(chosen):
                states[offsets[i] : offsets[i + 1]] = rows[row, : lengths[i]]
        return replace(windows, states=states, offsets=offsets)

    def _frozen_runner(self):
        """ids, mask → the frozen layers' token rows: onnxruntime when installed (it fuses the GELU and
        LayerNorms, as for the encoder block), else the numpy reference."""
        try:
            from sentclf.classify.encoder.graph import session

            frozen = session(self.base, self.workers.n_threads, depth=self.first)
        except ImportError:
            return lambda ids, mask: hidden_states(self.base, ids, mask, self.workers, self.first)
        return lambda ids, mask: frozen.run(["hidden"], {"ids": ids, "mask": mask})[0]

    def _inputs(self, windows: Windows, chosen: np.ndarray, train: bool, rng) -> tuple:
        """(x, embedding cache or None, mask, (n, L)) for the windows ``chosen``."""
        ids, mask = padded([windows.ids[i] for i in chosen])
        n, length = ids.shape
        if self.tune_embeddings:
            emb = {k: self.params[k] for k in bp.EMBEDDING_PARAMS}
            x, cache = bp.embed_forward(emb, ids, self.dropout if train else 0.0, rng)
            return x, cache, mask, (n, length)
        states, offsets = windows.states, windows.offsets
        if states is None or offsets is None:
            raise ValueError("the windows hold no frozen layers' output: prepare() them first")
        x = np.zeros((n * length, self.base.width), dtype=np.float32)
        lengths = windows.lengths[chosen]
        source = np.concatenate([np.arange(offsets[i], offsets[i] + lengths[j]) for j, i in enumerate(chosen)])
        x[np.flatnonzero(mask.reshape(-1))] = states[source]
        return x, None, mask, (n, length)

    def forward(self, windows: Windows, docs: np.ndarray, train: bool = False, rng=None) -> tuple:
        """(logits, what :meth:`backward` needs) for the documents ``docs`` (indices into ``windows``)."""
        chosen = np.concatenate([windows.of_docs[d] for d in docs])
        x, emb_cache, mask, (n, length) = self._inputs(windows, chosen, train, rng)
        bias = bp.attention_bias(mask, np.float32)
        rate = self.dropout if train else 0.0
        caches = []
        for name in self.layer_names:
            layer = {k: self.params[f"{name}.{k}"] for k in bp.LAYER_PARAMS}
            x, cache = bp.layer_forward(layer, x, (n, length, self.base.heads), bias, rate, rng)
            caches.append((name, layer, cache))
        window_means = bp.mean_pool(x.reshape(n, length, -1), mask)
        share = pooling_matrix(windows, docs, chosen)
        pooled = share @ window_means
        drop = bp.dropout_mask(pooled.shape, rate, rng, np.float32) if train else None
        if drop is not None:
            pooled = pooled * drop
        logits = pooled @ self.params["head.w"] + self.params["head.b"]
        return logits, (caches, emb_cache, mask, share, pooled, drop)

    def pooled_all(self, windows: Windows, docs: np.ndarray) -> np.ndarray:
        """:meth:`pooled` of many documents, in length-sorted batches of about PREPARE_TOKENS padded tokens."""
        out = np.empty((len(docs), self.base.width), dtype=np.float32)
        longest = [windows.lengths[windows.of_docs[d]].max() for d in docs]  # a document pads to its longest window
        for part in length_batches(longest, PREPARE_TOKENS, [len(windows.of_docs[d]) for d in docs]):
            out[part] = self.pooled(windows, docs[part])
        return out

    def pooled(self, windows: Windows, docs: np.ndarray) -> np.ndarray:
        """The documents' vectors (what the head reads), without dropout."""
        chosen = np.concatenate([windows.of_docs[d] for d in docs])
        x, _, mask, (n, length) = self._inputs(windows, chosen, False, None)
        bias = bp.attention_bias(mask, np.float32)
        for name in self.layer_names:
            layer = {k: self.params[f"{name}.{k}"] for k in bp.LAYER_PARAMS}
            x, _ = bp.layer_forward(layer, x, (n, length, self.base.heads), bias)
        return pooling_matrix(windows, docs, chosen) @ bp.mean_pool(x.reshape(n, length, -1), mask)

    def backward(self, saved: tuple, dlogits: np.ndarray) -> dict:
        """The gradient of every parameter, from that of the logits."""
        caches, emb_cache, mask, share, pooled, drop = saved
        grads = {"head.w": pooled.T @ dlogits, "head.b": dlogits.sum(axis=0)}
        d_pooled = dlogits @ self.params["head.w"].T
        if drop is not None:
            d_pooled *= drop
        dx = bp.mean_pool_backward(share.T @ d_pooled, mask)
        for index, (name, layer, cache) in enumerate(reversed(caches)):
            lowest = index == len(caches) - 1
            dx, layer_grads = bp.layer_backward(layer, cache, dx, need_dx=not lowest or self.tune_embeddings)
            grads.update({f"{name}.{k}": v for k, v in layer_grads.items()})
        if self.tune_embeddings:
            emb = {k: self.params[k] for k in bp.EMBEDDING_PARAMS}
            grads.update(bp.embed_backward(emb, emb_cache, dx))
        return grads

    def forward_flops(self, tokens: int) -> float:
        """2 · (tuned parameters touched per token) · tokens: the products of the tuned layers and head."""
        per_layer = sum(self.params[f"{self.layer_names[0]}.{k}"].size for k in ("qkv", "out", "up", "down"))
        return 2.0 * per_layer * len(self.layer_names) * tokens


def padded(rows: list) -> tuple:
    """(ids, mask): id rows padded with 0 to the longest, and 1.0 where a real token is."""
    longest = max(len(r) for r in rows)
    ids = np.zeros((len(rows), longest), dtype=np.int64)
    mask = np.zeros((len(rows), longest), dtype=np.float32)
    for j, row in enumerate(rows):
        ids[j, : len(row)] = row
        mask[j, : len(row)] = 1.0
    return ids, mask


def pooling_matrix(windows: Windows, docs: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """(docs, windows chosen): each document's windows weighted by their share of its wordpieces."""
    lengths = windows.lengths[chosen].astype(np.float32)
    owners = windows.owner[chosen]
    position = {int(d): j for j, d in enumerate(docs)}
    share = np.zeros((len(docs), len(chosen)), dtype=np.float32)
    rows = np.array([position[int(o)] for o in owners])
    share[rows, np.arange(len(chosen))] = lengths
    share /= share.sum(axis=1, keepdims=True)
    return share


def weights_with(base: EncoderWeights, arrays: dict) -> EncoderWeights:
    """``base`` with the tuned arrays in place (``l{i}.*`` layers, and the embedding tables when
    ``word`` is among them): the network the ONNX graph of a fine-tuned model is built from."""
    layers = [
        bp.nested_layer({k: arrays[f"l{i}.{k}"] for k in bp.LAYER_PARAMS}) if f"l{i}.qkv" in arrays else layer
        for i, layer in enumerate(base.layers)
    ]
    embeddings = base.embeddings
    if "word" in arrays:
        embeddings = {name: arrays[name] for name in ("word", "position", "segment")}
        embeddings["ln"] = (arrays["ln.g"], arrays["ln.b"])
    return EncoderWeights(embeddings, layers, base.sha256, base.heads, tuned=True)
