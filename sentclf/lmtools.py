"""What the ``sentclf lm`` commands call: train a language model on text, measure perplexity next to
the Kneser-Ney baseline, query it, export its embeddings in word2vec text format."""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from sentclf import bundle, lm, ngram
from sentclf.api import DataConfig
from sentclf.data import iter_documents
from sentclf.errors import DataError
from sentclf.lmdata import (SPECIALS, UNK_ID, Encoded, build_vocabulary, check_trainable, encode, is_dataset, select,
                            sha256_texts, split_documents, tokenize_documents)

log = logging.getLogger("sentclf")
LINES = "lines"


@dataclass
class TextInput:
    """Where text comes from: plain files (one document per line), datasets (labels ignored), or
    nothing (the default corpus)."""

    paths: tuple = ()
    fmt: str | None = None          # 'lines' forces plain text; a dataset format forces that reader
    text_col: str | None = None
    label_col: str | None = None
    encoding: str = "utf-8"

    def texts(self) -> list:
        if not self.paths:
            return DataConfig().load().texts      # the default corpus
        texts = []
        for path in self.paths:
            if self.fmt != LINES and (self.fmt or is_dataset(path)):   # train's readers, data:NAME too
                texts.extend(DataConfig(path, self.fmt, self.text_col, self.label_col, self.encoding).load().texts)
            else:
                texts.extend(doc.text for doc in iter_documents([path], encoding=self.encoding))
        return texts

    def describe(self) -> str:
        return ", ".join(self.paths) if self.paths else "the default corpus"


def _split(texts: list, config: lm.LMConfig) -> tuple:
    """(vocabulary, kept counts, training ids, held-out ids): the vocabulary comes from training text only."""
    ids, lengths, words = tokenize_documents(texts)
    held_mask = split_documents(lengths, config.holdout, config.seed)
    train_ids, train_lengths = select(ids, lengths, ~held_mask)
    vocab, mapping, counts = build_vocabulary(train_ids, words, config.min_count, config.max_vocab)
    train = Encoded(mapping[train_ids], train_lengths)
    held_ids, held_lengths = select(ids, lengths, held_mask)
    held = Encoded(mapping[held_ids], held_lengths) if len(held_lengths) else None
    return vocab, counts, train, held


def baseline_perplexity(train: Encoded, data: Encoded, vocab_size: int, order: int) -> dict:
    """The Kneser-Ney n-gram model fitted to ``train``, scored on ``data`` (same ids, same vocabulary)."""
    model = ngram.kneser_ney(train, vocab_size, order)
    return {"model": f"Kneser-Ney {order}-gram (nltk.lm, interpolated)", "discount": model.estimator.discount,
            "perplexity": lm.perplexity(ngram.log_probs(model, data))}


def train_lm(config: lm.LMConfig, source: TextInput, output, force: bool = False, progress=None,
             baseline: bool = True) -> dict:
    """Train, checkpointing to ``output`` at every held-out improvement; returns the report."""
    config.validate()
    output = Path(output)
    bundle.check_writable(output, force)
    texts = source.texts()
    vocab, counts, train, held = _split(texts, config)
    check_trainable(train, vocab, config.window)
    data = {"source": source.describe(), "sha256": sha256_texts(texts), "documents": len(texts),
            "train_tokens": train.n_tokens, "heldout_tokens": held.n_tokens if held else 0}
    log.info("%s: %d documents, %d training tokens, %d held out; vocabulary %d", data["source"], len(texts),
             train.n_tokens, data["heldout_tokens"], len(vocab))

    def checkpoint(model, summary):
        lm.save(output, model, {"data": data, "checkpoint": summary, "complete": False}, train, force=True)

    started = time.perf_counter()
    result = lm.fit(config, vocab, counts, train, held, progress, checkpoint)
    seconds = time.perf_counter() - started
    model = result["model"]
    metrics = {"epochs": len(result["history"]), "best_epoch": result["best_epoch"],
               "seconds": round(seconds, 1),
               "tokens_per_second": round(train.n_tokens * len(result["history"]) / max(seconds, 1e-9))}
    if held is not None:
        best = result["best_epoch"]     # its held-out perplexity is in the history, unless stopped in epoch 1
        metrics["heldout_perplexity"] = (result["history"][best - 1]["heldout_perplexity"] if best
                                         else model.perplexity(held))
        metrics["heldout_oov_rate"] = float(np.mean(held.ids == UNK_ID)) if len(held.ids) else 0.0
        if baseline and not result["interrupted"]:
            metrics["baseline"] = baseline_perplexity(train, held, len(vocab), config.ngram_order)
            if metrics["baseline"]["perplexity"] < metrics["heldout_perplexity"] and not config.tie:
                log.info("the n-gram baseline is ahead on this text: --tie --dropout 0.2 usually overtakes it "
                         "(see the README)")
    meta = {"data": data, "metrics": metrics, "history": result["history"], "complete": not result["interrupted"]}
    lm.save(output, model, meta, train, force=True)
    return {"path": str(output), "vocab_size": len(vocab), "config": asdict(config), **meta,
            "interrupted": result["interrupted"]}


def perplexity_report(path, source: TextInput, baseline: bool = True) -> dict:
    """Perplexity of the LM on new text, and of the n-gram baseline refitted to the LM's training text."""
    model, train = lm.load(path)
    data = encode(source.texts(), model.vocab)
    if not len(data.lengths):
        raise DataError(f"{source.describe()}: holds no words to score")
    report = {"path": str(path), "source": source.describe(), "tokens": data.n_tokens,
              "oov_rate": float(np.mean(data.ids == UNK_ID)) if len(data.ids) else 0.0,
              "perplexity": model.perplexity(data)}
    if baseline and train is not None:
        report["baseline"] = baseline_perplexity(train, data, len(model.vocab), model.config.ngram_order)
    elif baseline:
        log.warning("%s keeps no training text (more than %d tokens): no n-gram baseline", path,
                    lm.BASELINE_MAX_TOKENS)
    return report


def export_vectors(path, output, force: bool = False, specials: bool = False) -> dict:
    """The embedding matrix E in word2vec text format (``count dim`` then ``word v1 … vd`` per line)."""
    model, _ = lm.load(path)
    output = Path(output)
    bundle.check_writable(output, force)
    start = 0 if specials else len(SPECIALS)
    # a token can hold blanks (the tokenizer keeps ". . ." whole); a word2vec line cannot
    keep = [i for i in range(start, len(model.vocab)) if len(model.vocab[i].split()) == 1]
    words, vectors = [model.vocab[i] for i in keep], model.params["E"][keep]

    def write(raw):
        raw.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for word, row in zip(words, vectors):
            raw.write((word + " " + " ".join(f"{x:.6g}" for x in row.tolist()) + "\n").encode("utf-8"))

    bundle.atomic_write(output, write)
    skipped = len(model.vocab) - start - len(keep)
    if skipped:
        log.info("left out %d token(s) with blanks inside (such as '. . .'): a word2vec line cannot hold them", skipped)
    return {"path": str(output), "words": len(words), "dim": int(vectors.shape[1]), "skipped": skipped}
