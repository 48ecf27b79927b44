"""The ``ft`` model kind: all-MiniLM-L6-v2 fine-tuned on the user's labels by backpropagation.

A classification head on the mean-pooled last layer, softmax cross-entropy, AdamW (Loshchilov &
Hutter 2019) with linear warm-up and linear decay, dropout, and early stopping on an inner
validation split that keeps the best evaluation's weights. Only the top ``layers`` layers are
tuned (:mod:`sentclf.classify.encoder.tuning`); the file keeps those arrays and the head as plain
float32 arrays beside the pickle (:mod:`sentclf.classify.modelfile.tensors`), never inside it, and
prediction runs the ONNX graph built from them, as fast as the frozen encoder.
"""

from __future__ import annotations

import logging
import time
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sentclf import progress
from sentclf.classify.encoder import backprop as bp
from sentclf.classify.encoder.sentence import READINGS
from sentclf.classify.features.sentence_vectors import document_text
from sentclf.classify.features.tags import text_input_tags
from sentclf.classify.modelfile.tensors import TensorSet
from sentclf.classify.models.spec import AUTO_EPOCHS, TOKEN_BUDGET
from sentclf.errors import ConfigError, ModelFileError, VectorsError

log = logging.getLogger("sentclf")
BUCKET_BATCHES = 50  # batches whose documents are sorted by length together, so that a batch pads little
MIN_VALIDATION = 20  # fewer validation documents than this: no early stopping, the last weights are kept
EVALS_PER_EPOCH = 2
# a step of about 2,000 wordpieces keeps BLAS at its best rate and the elementwise work in cache; more
# than this many padded wordpieces (a batch of long reviews) is cut into smaller batches
MAX_BATCH_TOKENS = 8192
PROBE_C = 1.0  # the linear probe's inverse L2 strength, scikit-learn's default


class FineTunedEncoder(ClassifierMixin, BaseEstimator):
    """Documents (strings or token lists) in, class probabilities out, from a fine-tuned MiniLM.

    ``layers``: how many of the top layers are tuned (the rest are run once and their outputs kept;
    None: every layer); ``tune_embeddings``: tune every layer and the embedding tables too. ``lr`` is the encoder's peak
    learning rate and ``head_lr`` the new head's (None: 10 × ``lr``); ``epochs`` at most, with early
    stopping on a ``validation`` share of the training documents (checked twice an epoch, stopping after
    ``patience`` checks without a better validation accuracy). ``probe``: start the head from a
    logistic regression on the frozen vectors (LP-FT) instead of at random. ``encoder``: a loaded
    :class:`~sentclf.classify.encoder.sentence.SentenceEncoder` to start from (None: the installed one).
    ``reading``: how a document over 256 wordpieces is read (``SentenceEncoder.windows``).
    """

    _parameter_constraints: ClassVar[dict] = {
        "layers": [None, Interval(Integral, 1, None, closed="left")],
        "epochs": [None, Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "head_lr": [None, Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "warmup": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "validation": [Interval(Real, 0, 1, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [None, StrOptions({"balanced"})],
        "tune_embeddings": ["boolean"],
        "probe": ["boolean"],
        "encoder": [None, object],
        "reading": [StrOptions(set(READINGS))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        layers=None,
        epochs=None,
        lr=1e-4,
        head_lr=None,
        batch_size=64,
        warmup=0.1,
        weight_decay=0.01,
        dropout=0.1,
        validation=0.1,
        patience=2,
        class_weight=None,
        tune_embeddings=False,
        probe=True,
        encoder=None,
        reading="sentences",
        random_state=0,
    ):
        self.layers = layers
        self.epochs = epochs
        self.lr = lr
        self.head_lr = head_lr
        self.batch_size = batch_size
        self.warmup = warmup
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.validation = validation
        self.patience = patience
        self.class_weight = class_weight
        self.tune_embeddings = tune_embeddings
        self.probe = probe
        self.encoder = encoder
        self.reading = reading
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = text_input_tags(super().__sklearn_tags__())
        tags.non_deterministic = False
        return tags

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, X, y, X_val=None, y_val=None):
        """Fine-tune on the documents ``X`` and labels ``y``; ``X_val``/``y_val``: the documents early
        stopping checks against (None: a stratified ``validation`` share of ``X``)."""
        from sklearn.utils.class_weight import compute_sample_weight
        from sklearn.utils.multiclass import check_classification_targets

        from sentclf.classify.encoder.sentence import SentenceEncoder
        from sentclf.classify.encoder.tuning import TunableEncoder, windows_of

        self._validate_params()
        if y is None:
            raise ValueError("FineTunedEncoder requires y to be passed, but the target y is None: give the labels")
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"{len(X)} documents and {len(y)} labels: give one label per document")
        check_classification_targets(y)
        self.classes_, targets = np.unique(y, return_inverse=True)
        given = X_val is not None
        if given:
            y_val = np.asarray(y_val) if y_val is not None else None
            if y_val is None or len(X_val) != len(y_val) or not np.isin(y_val, self.classes_).all():
                raise ValueError("give X_val and y_val together, one label of the training classes per document")
            X = list(X) + list(X_val)
            targets = np.concatenate([targets, np.searchsorted(self.classes_, y_val)])
        if len(self.classes_) < 2:  # a ValueError, as scikit-learn's classifiers raise
            raise ValueError(f"fine-tuning needs at least two classes, and the labels hold one ({self.classes_[0]})")
        texts = [document_text(doc) for doc in X]
        base = self.encoder if self.encoder is not None else SentenceEncoder()
        depth = len(base.weights.layers)
        layers = depth if self.layers is None else self.layers
        if layers > depth:
            raise ConfigError(f"--tune-layers is at most {depth} (the encoder's layers), not {self.layers}")
        seed = (
            int(np.random.RandomState(self.random_state).randint(2**31 - 1))
            if not isinstance(self.random_state, int)
            else self.random_state
        )
        rng = np.random.default_rng(seed)
        weights = np.ones(len(targets), dtype=np.float32)  # the validation documents' are never read
        if self.class_weight == "balanced":
            weights[: len(y)] = compute_sample_weight("balanced", targets[: len(y)])
        if given:
            train, held = np.arange(len(y)), np.arange(len(y), len(targets))
        else:
            train, held = self._split(targets, rng)
        tuned = depth if self.tune_embeddings else layers
        network = TunableEncoder(
            base.weights, tuned, len(self.classes_), seed, self.tune_embeddings, self.dropout, base.workers
        )
        started = time.perf_counter()
        windows = network.prepare(windows_of(base, texts, self.reading))
        self.prepare_seconds_ = time.perf_counter() - started
        if self.probe:
            self._probe(network, windows, targets, train, seed)
        self.curve_, best = self._train(network, windows, targets, weights, train, held, rng)
        self.seconds_ = time.perf_counter() - started
        self.base_sha256_ = base.sha256
        self.layers_tuned_ = list(network.layer_names) + (["embeddings"] if self.tune_embeddings else [])
        self.tensors_ = TensorSet(best)
        self.n_train_, self.n_validation_ = len(train), len(held)
        self._network = None
        return self

    def _probe(self, network, windows, targets: np.ndarray, train: np.ndarray, seed: int) -> None:
        """LP-FT (Kumar et al. 2022): start the head from a logistic regression on the frozen
        network's pooled vectors, so that fine-tuning begins at the linear probe's accuracy and the
        first steps' gradients do not come from a random head (which distorts the pretrained layers)."""
        from sklearn.linear_model import LogisticRegression

        pooled = network.pooled_all(windows, train)
        probe = LogisticRegression(C=PROBE_C, class_weight=self.class_weight, max_iter=1000, random_state=seed)
        probe.fit(pooled, targets[train])
        coef, intercept = probe.coef_, probe.intercept_
        if len(self.classes_) == 2:  # scikit-learn's binary LR has one column: as a softmax, ±half of it
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        network.params["head.w"][...] = coef.T
        network.params["head.b"][...] = intercept

    def _split(self, targets: np.ndarray, rng) -> tuple:
        """(training indices, validation indices): a stratified share, or none when it would be tiny."""
        n_held = round(self.validation * len(targets))
        counts = np.bincount(targets)
        if n_held < MIN_VALIDATION or n_held < len(counts) or counts.min() < 4:
            return np.arange(len(targets)), np.zeros(0, dtype=np.int64)
        from sklearn.model_selection import train_test_split

        train, held = train_test_split(
            np.arange(len(targets)), test_size=n_held, stratify=targets, random_state=int(rng.integers(2**31 - 1))
        )
        return np.sort(train), np.sort(held)

    def _batches(self, windows, docs: np.ndarray, rng) -> list:
        """One epoch's batches of ``batch_size`` documents (fewer where they would pass MAX_BATCH_TOKENS
        padded wordpieces: long reviews), shuffled, sorted by length within buckets of BUCKET_BATCHES
        batches so that a batch pads little."""
        docs = rng.permutation(docs)
        tokens = windows.doc_lengths[docs]
        batches: list = []
        bucket = self.batch_size * BUCKET_BATCHES
        for start in range(0, len(docs), bucket):
            order = np.argsort(tokens[start : start + bucket], kind="stable")
            part, size = docs[start : start + bucket][order], tokens[start : start + bucket][order]
            first = 0
            for i in range(1, len(part) + 1):
                full = i - first == self.batch_size or (i < len(part) and (i - first + 1) * size[i] > MAX_BATCH_TOKENS)
                if i == len(part) or full:
                    batches.append(part[first:i])
                    first = i
        return [batches[i] for i in rng.permutation(len(batches))]

    def _train(self, network, windows, targets, weights, train, held, rng) -> tuple:
        from sentclf.nn.optimizers import Adam

        steps_per_epoch = -(-len(train) // self.batch_size)
        total, epochs = self._schedule(windows, train, steps_per_epoch)
        warm = max(1, round(self.warmup * total))
        head_lr = self.head_lr if self.head_lr is not None else 10 * self.lr
        groups = {
            "encoder": {k: v for k, v in network.params.items() if not k.startswith("head.")},
            "head": {k: v for k, v in network.params.items() if k.startswith("head.")},
        }
        optimizers = {name: Adam(params, lr=1.0, workers=network.workers) for name, params in groups.items()}
        peaks = {"encoder": self.lr, "head": head_lr}
        checks = set(np.linspace(0, steps_per_epoch, EVALS_PER_EPOCH + 1).round().astype(int)[1:])
        curve: list = []
        best = {k: v.copy() for k, v in network.params.items()}
        best_score, since_best, step, tokens = (-1.0, np.inf), 0, 0, 0
        label = f"fine-tuning {len(network.layer_names)} layer(s) of all-MiniLM-L6-v2 on {len(train):,} documents"
        progress.start("finetune", total, label)
        try:
            for epoch in range(epochs):
                losses = []
                for index, batch in enumerate(self._batches(windows, train, rng), start=1):
                    if step == total:  # the token budget ends inside this epoch
                        break
                    logits, saved = network.forward(windows, batch, train=True, rng=rng)
                    loss, dlogits = bp.softmax_cross_entropy(logits, targets[batch], weights[batch])
                    grads = network.backward(saved, dlogits)
                    scale = (step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))
                    for name, optimizer in optimizers.items():
                        optimizer.lr = peaks[name] * scale
                        for key, param in groups[name].items():  # AdamW: decay decoupled from the gradient
                            if self.weight_decay and bp.decays(key):
                                param *= np.float32(1.0 - optimizer.lr * self.weight_decay)
                        optimizer.step({k: grads[k] for k in groups[name]})
                    losses.append(loss)
                    tokens += int(windows.doc_lengths[batch].sum())
                    step += 1
                    progress.advance("finetune")
                    if index in checks or step == total:
                        point = {
                            "epoch": round(epoch + index / steps_per_epoch, 2),
                            "step": step,
                            "train_loss": float(np.mean(losses)),
                        }
                        if len(held):
                            point.update(self._evaluate(network, windows, targets, held))
                            score = check_score(point)
                            if score > best_score:
                                best_score, since_best = score, 0
                                best = {k: v.copy() for k, v in network.params.items()}
                            else:
                                since_best += 1
                        curve.append(point)
                        log.info("fine-tuning: %s", ", ".join(f"{k} {v:.4g}" for k, v in point.items()))
                        if since_best >= self.patience:
                            log.info(
                                "fine-tuning: stopped early, validation accuracy has not improved for %d checks",
                                since_best,
                            )
                            return curve, best
        finally:
            progress.finish("finetune")
            self.tokens_seen_ = tokens
        if not len(held):
            best = network.params
        return curve, best

    def _schedule(self, windows, train: np.ndarray, steps_per_epoch: int) -> tuple:
        """(optimizer steps, epochs begun): ``epochs`` whole ones, or (None) up to AUTO_EPOCHS cut to
        TOKEN_BUDGET wordpieces, never less than one check's worth of steps."""
        if self.epochs is not None:
            self.epochs_ = self.epochs
            return steps_per_epoch * self.epochs, self.epochs
        per_epoch = int(windows.doc_lengths[train].sum())
        total = min(AUTO_EPOCHS * steps_per_epoch, round(steps_per_epoch * TOKEN_BUDGET / max(1, per_epoch)))
        total = max(total, -(-steps_per_epoch // EVALS_PER_EPOCH))
        epochs = round(total / steps_per_epoch, 2)
        self.epochs_ = int(epochs) if epochs == int(epochs) else epochs
        return total, -(-total // steps_per_epoch)

    def _evaluate(self, network, windows, targets, held) -> dict:
        logits = network.pooled_all(windows, held) @ network.params["head.w"] + network.params["head.b"]
        loss, _ = bp.softmax_cross_entropy(logits, targets[held], np.ones(len(held), dtype=np.float32))
        return {"val_loss": loss, "val_accuracy": float(np.mean(logits.argmax(axis=1) == targets[held]))}

    # -- predicting --------------------------------------------------------------------------------

    def _runtime(self):
        """The ONNX (or numpy) network built from the tuned arrays, once per process."""
        from sentclf.classify.encoder.sentence import SentenceEncoder
        from sentclf.classify.encoder.tuning import weights_with

        if getattr(self, "_network", None) is None:
            base = self.encoder if self.encoder is not None else SentenceEncoder(backend="numpy")
            if base.sha256 != self.base_sha256_:
                raise VectorsError(
                    f"the installed all-MiniLM-L6-v2 (sha256 {base.sha256[:12]}…) is not the one this model was "
                    f"fine-tuned from ({self.base_sha256_[:12]}…): reinstall that version, or retrain"
                )
            check_shapes(self.tensors_.arrays, base.weights, len(self.classes_))
            weights = weights_with(base.weights, self.tensors_.arrays)
            self._network = SentenceEncoder(loaded=(weights, base.tokenizer), normalize=False, workers=base.workers)
        return self._network

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "tensors_")
        vectors = self._runtime().encode([document_text(doc) for doc in X], self.reading)
        arrays = self.tensors_.arrays
        return vectors @ arrays["head.w"] + arrays["head.b"]

    def predict_proba(self, X) -> np.ndarray:
        logits = self.decision_function(X)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        return logits / logits.sum(axis=1, keepdims=True)

    def predict(self, X):
        check_is_fitted(self, "tensors_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def summary(self) -> dict:
        """What the model file's metadata and ``info`` say of the fine-tuning."""
        check_is_fitted(self, "tensors_")
        return {
            "base": "all-MiniLM-L6-v2",
            "base_sha256": self.base_sha256_,
            "layers_tuned": self.layers_tuned_,
            "long_texts": f"read by {'sentence' if self.reading == 'sentences' else 'window'}",
            "epochs": getattr(self, "epochs_", self.epochs),  # planned; the curve shows where it stopped
            "best": max((p for p in self.curve_ if "val_accuracy" in p), key=check_score, default=None),
            "curve": self.curve_,
            "n_train": self.n_train_,
            "n_validation": self.n_validation_,
            "seconds": round(self.seconds_, 1),
            "tokens_seen": self.tokens_seen_,
            "params": {
                k: getattr(self, k) for k in ("lr", "head_lr", "batch_size", "warmup", "weight_decay", "dropout")
            },
        }

    def __getstate__(self):  # the network is rebuilt from the arrays; the shared encoder is never pickled
        return {**self.__dict__, "encoder": None, "_network": None}

    def __setstate__(self, state):  # files from before ``reading`` existed were tuned on windows
        self.__dict__.update({"reading": "windows", **state})


def check_score(point: dict) -> tuple:
    """How validation checks rank: accuracy first, then lower loss (the best one's weights are kept)."""
    return point["val_accuracy"], -point["val_loss"]


def check_shapes(arrays: dict, base, n_classes: int) -> None:
    """Refuse arrays (from a model file) that do not fit the installed encoder: every name known,
    every shape that of the array it replaces, the head as wide as the classes."""
    from sentclf.classify.encoder import backprop

    want = {"head.w": (base.width, n_classes), "head.b": (n_classes,)}
    for i, layer in enumerate(base.layers):
        want.update({f"l{i}.{k}": v.shape for k, v in backprop.flat_layer(layer).items()})
    emb = base.embeddings
    want.update(word=emb["word"].shape, position=emb["position"].shape, segment=emb["segment"].shape)
    want.update({"ln.g": emb["ln"][0].shape, "ln.b": emb["ln"][1].shape})
    wrong = [name for name, a in arrays.items() if want.get(name) != a.shape]
    if wrong or not {"head.w", "head.b"} <= set(arrays):
        raise ModelFileError(
            f"the fine-tuned weights do not fit the installed encoder ({', '.join(wrong) or 'no head'}): "
            "retrain the model"
        )
