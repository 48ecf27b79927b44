"""Fine-tuning the sentence encoder: a training step's speed against the machine's limit, and the
whole fine-tuning's time and accuracy.

    python bench/finetune.py steps [K ...]        (default K = 1 2 6; needs make minilm and ../shared/data)
    python bench/finetune.py fit sst2|corpus [K]  (the whole fit, K layers (default: all), as train --model ft runs it)
    python bench/finetune.py stack [K] [--frozen]   (SST-2: the recipe, encoder:ft blended; --frozen: and the
                                                    frozen encoder's stack it replaced, for reference)
    python bench/finetune.py predict              (predict's docs/s, fine-tuned against frozen, same tweets)

steps: on SST-2's training sentences, for each K the best of 5 rounds of 12 training steps (batches
of 64 sentences, length-bucketed as fit makes them: forward, backward, AdamW) after 3 warm-up steps. A step's work is
counted as the lecture's rule of thumb, forward + backward = 3 x the forward's 2 * (tuned matrix
parameters) * (real wordpieces), padding not counted; the attention products and the head are not
counted either, so the rate is a floor. The peer is numpy's float32 matrix product (sgemm) on the
feed-forward's shape, 2048 x 384 x 1536, timed before every round (the best of those timings).

fit: FineTunedEncoder.fit as `sentclf train --model ft` runs it (the frozen lower layers computed once,
LP-FT head, early stopping on 10%), its wall time, and for SST-2 its accuracy on the test sentences.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encoder_speed import sgemm_gflops
from shared_data import read_sst2

import sentclf  # noqa: F401 - sets OPENBLAS_THREAD_TIMEOUT before numpy's BLAS starts
from sentclf.classify.encoder import backprop as bp
from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.encoder.tuning import TunableEncoder, windows_of
from sentclf.classify.models.finetuned import FineTunedEncoder
from sentclf.nn.optimizers import Adam

STEPS, WARM, BATCH, ROUNDS = 12, 3, 64, 5


def step_speed(encoder: SentenceEncoder, texts: list, labels: np.ndarray, k: int) -> tuple:
    """(best tokens/s, best GFLOP/s, best sgemm GFLOP/s) over ROUNDS rounds of STEPS steps, each
    round next to an sgemm timing: this machine's rate moves by a third from minute to minute."""
    network = TunableEncoder(encoder.weights, k, 2, 0, dropout=0.1, workers=encoder.workers)
    windows = network.prepare(windows_of(encoder, texts))
    model = FineTunedEncoder(batch_size=BATCH)
    rng = np.random.default_rng(0)
    batches = model._batches(windows, np.arange(len(texts)), rng)
    optimizer = Adam(network.params, lr=1e-5, workers=encoder.workers)
    weights = np.ones(len(texts), dtype=np.float32)

    def step(batch) -> None:
        logits, saved = network.forward(windows, batch, train=True, rng=rng)
        _, dlogits = bp.softmax_cross_entropy(logits, labels[batch], weights[batch])
        optimizer.step(network.backward(saved, dlogits))

    for batch in batches[:WARM]:
        step(batch)
    best, peak = 0.0, 0.0
    for r in range(ROUNDS):
        peak = max(peak, sgemm_gflops(rounds=10))
        chosen = batches[WARM + r * STEPS : WARM + (r + 1) * STEPS]
        start = time.perf_counter()
        for batch in chosen:
            step(batch)
        seconds = time.perf_counter() - start
        tokens = sum(int(windows.lengths[np.concatenate([windows.of_docs[d] for d in b])].sum()) for b in chosen)
        best = max(best, tokens / seconds)
    peak = max(peak, sgemm_gflops(rounds=10))
    return best, 3 * network.forward_flops(best) / 1e9, peak


def steps(ks: list) -> None:
    texts, labels = read_sst2("train")
    y = (np.array(labels) == "pos").astype(np.int64)
    encoder = SentenceEncoder()
    texts = texts[: BATCH * (WARM + ROUNDS * STEPS)]
    print(
        f"SST-2 training sentences ({len(texts):,}), batches of {BATCH}: the best of {ROUNDS} rounds of {STEPS} "
        f"steps after {WARM} warm-up, each round beside an sgemm timing; 2 cores\n"
    )
    print(
        "| layers tuned (K) | tokens/s | GFLOP/s (3 x 2 x params x wordpieces) | sgemm GFLOP/s (same run) | fraction |"
    )
    print("|---|---|---|---|---|")
    for k in ks:
        rate, gflops, peak = step_speed(encoder, texts, y[: len(texts)], k)
        print(f"| {k} | {rate:,.0f} | {gflops:.1f} | {peak:.1f} | {gflops / peak:.0%} |", flush=True)


def fit(dataset: str, k: int | None) -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("sentclf.progress").setLevel(logging.WARNING)
    if dataset == "sst2":
        (texts, labels), test = read_sst2("train"), read_sst2("test")
    else:
        from sentclf.data.corpus import load_default_corpus

        corpus = load_default_corpus()
        texts, labels, test = corpus.texts, corpus.labels, None
    encoder = SentenceEncoder()
    start = time.perf_counter()
    model = FineTunedEncoder(layers=k, encoder=encoder).fit(texts, labels)
    seconds = time.perf_counter() - start
    line = (
        f"{dataset}: {len(texts):,} documents, K = {k}: fit {seconds / 60:.1f} min (the frozen layers "
        f"{model.prepare_seconds_:.0f} s), {model.epochs_} epochs planned, {model.tokens_seen_:,} wordpieces "
        f"trained on, best check {model.summary()['best']}"
    )
    if test is not None:
        start = time.perf_counter()
        predicted = model.predict(test[0])
        rate = len(test[0]) / (time.perf_counter() - start)
        line += f"; test accuracy {np.mean(predicted == np.array(test[1])):.2%}, predict {rate:,.0f} docs/s"
    print(line, flush=True)


def stack(k: int | None, frozen: bool = False) -> None:
    """SST-2 train -> test: the accuracy recipe (encoder:ft blended with the n-gram members) and, with
    ``frozen``, the recipe before it (six+encoder:lr in its place, stacked from 5 folds)."""
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.models.pipeline import build_pipeline, fit_for_size
    from sentclf.classify.models.spec import ACCURACY_MEMBERS, RECIPE_CLASS_WEIGHT, EnsembleConfig, ModelConfig
    from sentclf.text import tokenize_all

    (texts, labels), (test_x, test_y) = read_sst2("train"), read_sst2("test")
    tokens, test_tokens = tokenize_all(texts), tokenize_all(test_x)
    encoder, lexicon = SentenceEncoder(), load_lexicon()
    config = ModelConfig(class_weight=RECIPE_CLASS_WEIGHT, tune_layers=k)
    before = tuple("six+encoder:lr" if m == "encoder:ft" else m for m in ACCURACY_MEMBERS)
    variants = [("the recipe before: six+encoder:lr, stacked", EnsembleConfig(before, "stack"))] if frozen else []
    variants.append(("the recipe: encoder:ft, blended", EnsembleConfig()))
    for name, ensemble in variants:
        start = time.perf_counter()
        model = build_pipeline("ensemble", lexicon, config, ensemble=ensemble, encoder=encoder)
        model = fit_for_size(model, len(tokens), 2)  # as train builds it
        model.fit(tokens, labels)
        seconds = time.perf_counter() - start
        accuracy = np.mean(model.predict(test_tokens) == np.array(test_y))
        layers = "every layer" if k is None else f"K = {k}"
        print(f"| {name} ({layers}) | {100 * accuracy:.2f} | {seconds / 60:.1f} min |", flush=True)


def predict_speed() -> None:
    """predict's docs/s with a fine-tuned encoder against the frozen encoder on the same 2,000 tweets,
    in the same run, both warmed up (the ft model: every layer tuned for one epoch on 500 tweets;
    its weights, not its accuracy, are what is timed)."""
    from sentclf.data.corpus import load_default_corpus

    corpus = load_default_corpus()
    texts = corpus.texts[-2000:]
    frozen = SentenceEncoder(backend="onnx")
    pick = np.random.default_rng(0).choice(len(corpus.texts) - 2000, 500, replace=False)
    tuned = FineTunedEncoder(epochs=1, encoder=frozen).fit(
        [corpus.texts[i] for i in pick], [corpus.labels[i] for i in pick]
    )
    start = time.perf_counter()
    tuned.predict_proba(texts[:50])  # builds the graph of the tuned weights
    build = time.perf_counter() - start
    rates: dict = {"frozen": [], "ft": []}
    for _ in range(3):
        for name, run in (("frozen", frozen.encode), ("ft", tuned.predict_proba)):
            start = time.perf_counter()
            run(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    best = {name: max(values) for name, values in rates.items()}
    print(
        f"| {len(texts):,} tweets | frozen encoder {best['frozen']:,.0f} docs/s | "
        f"fine-tuned {best['ft']:,.0f} docs/s | ratio {best['ft'] / best['frozen']:.2f} | "
        f"graph of the tuned weights built in {build:.1f} s |"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "predict":
        predict_speed()
    elif len(sys.argv) > 1 and sys.argv[1] == "stack":
        numbers = [int(a) for a in sys.argv[2:] if a.isdigit()]
        stack(numbers[0] if numbers else None, "--frozen" in sys.argv)
    elif len(sys.argv) > 1 and sys.argv[1] == "fit":
        fit(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)  # None: every layer, as train does
    else:
        steps([int(k) for k in sys.argv[2:]] if len(sys.argv) > 2 else [1, 2, 6])
