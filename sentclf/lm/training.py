"""Training the feedforward LM: the verb behind ``sentclf lm train`` (read text, build the vocabulary
on the training documents, train, compare with Kneser-Ney) and the minibatch loop with early
stopping on held-out perplexity."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentclf import atomic
from sentclf.data.source import TextSource
from sentclf.errors import ConfigError
from sentclf.lm import lmfile, network, sampled
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import (
    Encoded,
    build_vocabulary,
    check_trainable,
    select,
    split_documents,
    tokenize_documents,
)
from sentclf.lm.mixture import fit_lambda, mixed_log_probs
from sentclf.lm.model import LanguageModel, perplexity
from sentclf.lm.ngram import KneserNey
from sentclf.lm.sampled import Sampler
from sentclf.lm.stream import Stream, as_stream, shuffled_batches
from sentclf.lm.tokenfile import Prepared, prepare, scratch_folder
from sentclf.nn.optimizers import Adam, MomentumSGD
from sentclf.nn.threads import Workers

log = logging.getLogger("sentclf")
# A batch's mean loss, in nats, past which training has diverged: a uniform guess over a million words
# scores 13.8, and a network that learns starts near there and goes down.
DIVERGED_LOSS = 100.0


@dataclass
class LMTrainConfig:
    """One ``lm train`` run: the model's config, the text, where to save, and whether to fit the baseline."""

    model: LMConfig = field(default_factory=LMConfig)
    source: TextSource = field(default_factory=TextSource)
    output: str = "lm.sentclf"
    force: bool = False
    baseline: bool = True

    def validate(self) -> None:
        self.model.validate()


@dataclass
class LMTrainResult:
    """What training did: the file written, the vocabulary, the data, held-out perplexities, each epoch."""

    path: str
    vocab_size: int
    config: dict
    data: dict
    metrics: dict
    history: list
    complete: bool
    interrupted: bool

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "vocab_size": self.vocab_size,
            "config": self.config,
            "data": self.data,
            "metrics": self.metrics,
            "history": self.history,
            "complete": self.complete,
            "interrupted": self.interrupted,
        }


def split_text(texts: list, config: LMConfig) -> tuple:
    """(vocabulary, kept counts, training ids, held-out ids): the vocabulary comes from training text only."""
    ids, lengths, words = tokenize_documents(texts)
    held_mask = split_documents(lengths, config.holdout, config.seed)
    train_ids, train_lengths = select(ids, lengths, ~held_mask)
    vocab, mapping, counts = build_vocabulary(train_ids, words, config.min_count, config.max_vocab)
    train = Encoded(mapping[train_ids], train_lengths)
    held_ids, held_lengths = select(ids, lengths, held_mask)
    held = Encoded(mapping[held_ids], held_lengths) if len(held_lengths) else None
    return vocab, counts, train, held


def baseline_scores(train: Encoded | Stream, data: Encoded | Stream, vocab_size: int, order: int) -> tuple:
    """The Kneser-Ney n-gram model fitted to ``train``, scored on ``data`` (same ids, same vocabulary):
    (summary with its perplexity, each token's log-probability)."""
    model = KneserNey(as_stream(train, order - 1), vocab_size, order)
    logp = model.log_probs(as_stream(data, order - 1))
    summary = {
        "model": f"Kneser-Ney {order}-gram (interpolated)",
        "discount": model.discount,
        "perplexity": perplexity(logp),
    }
    return summary, logp


def mixture_summary(lam: float, neural_logp, ngram_logp) -> dict:
    """The mixture's λ and its perplexity on the same tokens."""
    return {"lambda": lam, "perplexity": perplexity(mixed_log_probs(neural_logp, ngram_logp, lam))}


def train_lm(job: LMTrainConfig, progress=None) -> LMTrainResult:
    """Read the text once into token ids on disk (:mod:`sentclf.lm.tokenfile`), build the vocabulary
    on the training documents, train with early stopping, checkpointing to ``job.output`` at every
    held-out improvement; then the Kneser-Ney baseline on the same ids. ``progress(event)`` hears
    about epochs and batches."""
    job.validate()
    atomic.check_writable(Path(job.output), job.force, inputs=job.source.paths)
    with scratch_folder() as folder:
        return _train(job, prepare(job.source.iter_texts(), job.model, folder), progress)


def _train(job: LMTrainConfig, prepared: Prepared, progress) -> LMTrainResult:
    vocab, train, held = prepared.vocab, prepared.train, prepared.held
    config, output = job.model.with_batch_for(train.n_tokens), Path(job.output)
    check_trainable(train.words, vocab, config.window)
    data = {
        "source": job.source.describe(),
        "sha256": prepared.sha256,
        "documents": prepared.documents,
        "train_tokens": train.n_tokens,
        "heldout_tokens": held.n_tokens if held else 0,
    }
    log.info(
        "%s: %d documents, %d training tokens, %d held out; vocabulary %d; %d tokens a step",
        data["source"],
        data["documents"],
        train.n_tokens,
        data["heldout_tokens"],
        len(vocab),
        config.batch_size,
    )
    kept = train if job.baseline else None  # the training text, for lm perplexity's baseline
    claimed = [job.force]  # the first write claims the name (unless --force); later ones replace our own file

    def checkpoint(model, summary):
        lmfile.save(output, model, {"data": data, "checkpoint": summary, "complete": False}, kept, force=claimed[0])
        claimed[0] = True

    started = time.perf_counter()
    result = fit(config, vocab, prepared.counts, train, held, progress, checkpoint)
    seconds = time.perf_counter() - started
    model = result["model"]
    metrics = {
        "epochs": len(result["history"]),
        "best_epoch": result["best_epoch"],
        "seconds": round(seconds, 1),
        "tokens_per_second": round(train.n_tokens * len(result["history"]) / max(seconds, 1e-9)),
    }
    if held is not None:
        best = result["best_epoch"]  # its held-out perplexity is in the history, unless stopped in epoch 1
        metrics["heldout_perplexity"] = (
            result["history"][best - 1]["heldout_perplexity"] if best else model.perplexity(held)
        )
        metrics["heldout_oov_rate"] = held.oov_rate()
        if job.baseline and not result["interrupted"]:
            metrics["baseline"], ngram_logp = baseline_scores(train, held, len(vocab), config.ngram_order)
            neural_logp = model.token_log_probs(held)
            metrics["mixture"] = mixture_summary(fit_lambda(neural_logp, ngram_logp), neural_logp, ngram_logp)
            log.info(
                "mixture λ·neural + (1 − λ)·Kneser-Ney: λ = %.2f fitted on the held-out text, perplexity %.1f",
                metrics["mixture"]["lambda"],
                metrics["mixture"]["perplexity"],
            )
    meta = {"data": data, "metrics": metrics, "history": result["history"], "complete": not result["interrupted"]}
    if "mixture" in metrics:
        meta["mixture"] = {"lambda": metrics["mixture"]["lambda"], "order": config.ngram_order}
    lmfile.save(output, model, meta, kept, force=claimed[0])
    return LMTrainResult(
        str(output),
        len(vocab),
        asdict(model.config),
        data,
        metrics,
        result["history"],
        not result["interrupted"],
        result["interrupted"],
    )


def _optimizer(config: LMConfig, params: dict, workers: Workers):
    if config.optimizer == "sgd":
        return MomentumSGD(params, config.learning_rate, config.momentum)
    return Adam(params, lr=config.learning_rate, workers=workers)


def fit(
    config: LMConfig,
    vocab: list,
    counts: np.ndarray,
    train: Encoded | Stream,
    held: Encoded | Stream | None,
    progress=None,
    checkpoint=None,
) -> dict:
    """Minibatch training with early stopping on held-out perplexity. ``progress(event)`` hears about
    batches and epochs; ``checkpoint(model, summary)`` is called whenever held-out perplexity improves.
    Ctrl-C stops training and returns the best model so far (``interrupted`` is then True)."""
    train = as_stream(train, config.window)
    held = as_stream(held, config.window) if held is not None else None
    config = config.with_batch_for(train.n_tokens)  # the model (and its file) keep the batch used
    rng = np.random.default_rng(config.seed)
    params = network.init_params(
        len(vocab), config.window, config.dim, config.hidden, rng, unigram=counts + 0.5, tied=config.tie
    )
    workspace = network.Workspace()
    model = LanguageModel(vocab, params, config, workers=workspace.workers)
    optimizer = _optimizer(config, params, workspace.workers)
    step = _step_function(config, counts, workspace)
    notify = progress or (lambda event: None)
    state: dict[str, Any] = {"best": None, "best_epoch": 0, "history": [], "interrupted": False, "stale": 0}
    try:
        for epoch in range(1, config.epochs + 1):
            loss = _epoch(model, optimizer, train, epoch, notify, rng, step)
            if _end_epoch(model, held, epoch, loss, state, notify, checkpoint):
                break
            if state["stale"]:  # no better than the best: go back to it, with half the step
                for name, value in state["best"].items():
                    params[name][...] = value
                optimizer.lr *= 0.5
    except KeyboardInterrupt:
        state["interrupted"] = True
    if state["best"] is None:  # no held-out text, or stopped inside the first epoch
        state["best"] = {name: value.copy() for name, value in params.items()}
        state["best_epoch"] = len(state["history"])
    model.params = state["best"]
    return {
        "model": model,
        "history": state["history"],
        "best_epoch": state["best_epoch"],
        "interrupted": state["interrupted"],
    }


def _step_function(config: LMConfig, counts: np.ndarray, workspace):
    """The loss and gradients of one batch: the full softmax, or sampled (``--loss sampled``)."""
    if config.loss == "full":
        return lambda params, contexts, targets, masks, rng: network.loss_and_grads(
            params, contexts, targets, config.activation, masks, workspace
        )
    sampler = Sampler(counts)
    k = min(config.samples, len(counts))
    log_expected = sampler.log_expected(k)
    return lambda params, contexts, targets, masks, rng: sampled.loss_and_grads(
        params, contexts, targets, config.activation, sampler.draw(rng, k), log_expected, masks
    )


def _epoch(model, optimizer, train: Stream, epoch: int, notify, rng, step) -> float:
    config = model.config
    n_batches, total, seen = math.ceil(train.n_tokens / config.batch_size), 0.0, 0
    notify({"event": "epoch", "epoch": epoch, "epochs": config.epochs, "batches": n_batches})
    for positions in shuffled_batches(train, rng, config.batch_size):
        masks = network.dropout_masks(rng, len(positions), model.params, config.dropout)
        contexts, targets = train.contexts(positions, config.window), np.asarray(train.tokens[positions])
        loss, grads = step(model.params, contexts, targets, masks, rng)
        if not math.isfinite(loss) or loss > DIVERGED_LOSS:
            raise ConfigError(
                f"training diverged in epoch {epoch} (the loss became {loss:.4g}): "
                f"lower --lr (it was {config.learning_rate:g})"
            )
        optimizer.step(grads)
        total, seen = total + loss * len(positions), seen + len(positions)
        notify({"event": "batch", "loss": total / seen})
    return total / max(seen, 1)


def _end_epoch(model, held, epoch: int, loss: float, state: dict, notify, checkpoint) -> bool:
    """Record the epoch, keep the best parameters, checkpoint; True when training should stop."""
    held_ppl = model.perplexity(held) if held is not None and held.n_tokens else None
    best_ppl = state["history"][state["best_epoch"] - 1]["heldout_perplexity"] if state["best"] else None
    improved = held_ppl is not None and (best_ppl is None or held_ppl < best_ppl)
    summary = {
        "epoch": epoch,
        "train_loss": loss,
        "train_perplexity": math.exp(loss),
        "heldout_perplexity": held_ppl,
        "best": improved,
    }
    state["history"].append(summary)
    notify({"event": "epoch_end", **summary})
    if held_ppl is None:
        return False
    if improved:
        state.update(best={n: v.copy() for n, v in model.params.items()}, best_epoch=epoch, stale=0)
        if checkpoint:
            checkpoint(LanguageModel(model.vocab, state["best"], model.config, workers=model.workers), summary)
        return False
    state["stale"] += 1
    return state["stale"] >= model.config.patience
