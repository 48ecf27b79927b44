"""What can be asked of a saved LM: its perplexity on new text beside the Kneser-Ney baseline refitted
to its training text, the likeliest next words, the nearest words, and its embeddings exported in
word2vec text format (which ``--embeddings`` reads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sentclf import atomic
from sentclf.data.source import TextSource
from sentclf.errors import DataError
from sentclf.lm import lmfile
from sentclf.lm.encoding import SPECIALS, UNK_ID, encode
from sentclf.lm.ngram import KneserNey
from sentclf.lm.tokenfile import scratch_folder
from sentclf.lm.training import baseline_scores, mixture_summary

log = logging.getLogger("sentclf")


@dataclass
class PerplexityConfig:
    """``lm perplexity``: which LM file, on what text, and whether to refit the n-gram baseline."""

    model_path: str
    source: TextSource = field(default_factory=TextSource)
    baseline: bool = True


@dataclass
class QueryConfig:
    """``lm next`` and ``lm neighbors``: which LM file, the text or word asked about, how many answers."""

    model_path: str
    query: str
    k: int = 10
    mix: bool = True  # lm next: the mixture with Kneser-Ney, when the file has one (--no-mix: the network alone)


@dataclass
class ExportConfig:
    """``lm export``: which LM file, where to write the vectors, and whether to keep <unk> <s> </s>."""

    model_path: str
    output: str
    force: bool = False
    specials: bool = False


def perplexity_report(job: PerplexityConfig) -> dict:
    """Perplexity of the LM on new text, and of the n-gram baseline refitted to the LM's training text."""
    model = lmfile.load(job.model_path)
    source, path = job.source, job.model_path
    data = encode(source.texts(), model.vocab)
    if not len(data.lengths):
        raise DataError(f"{source.describe()}: holds no words to score")
    report = {
        "path": str(path),
        "source": source.describe(),
        "tokens": data.n_tokens,
        "oov_rate": float(np.mean(data.ids == UNK_ID)) if len(data.ids) else 0.0,
        "perplexity": model.perplexity(data),
        "window": model.config.window,
    }
    if not job.baseline:
        return report
    with scratch_folder() as folder:
        train = lmfile.training_text(path, model, folder)
        if train is None:
            log.warning(
                "%s keeps no training text (trained with --no-baseline, or by an older sentclf on more than "
                "5M tokens): no n-gram baseline",
                path,
            )
            return report
        report["baseline"], ngram_logp = baseline_scores(train, data, len(model.vocab), model.config.ngram_order)
    lam = model.metadata.get("mixture", {}).get("lambda")
    if lam is not None:  # files made before the mixture have none: the same two rows as then
        report["mixture"] = mixture_summary(lam, model.token_log_probs(data), ngram_logp)
    return report


def next_words(job: QueryConfig) -> list:
    """The ``k`` likeliest next words after the text ``query``, with probabilities: of the mixture with
    Kneser-Ney when the file has one (and ``job.mix``), else of the network alone."""
    model = lmfile.load(job.model_path)
    mixture = model.metadata.get("mixture")
    if not job.mix or mixture is None:
        return model.next_words(job.query, job.k)
    with scratch_folder() as folder:
        train = lmfile.training_text(job.model_path, model, folder)
        if train is None:
            return model.next_words(job.query, job.k)
        ngram = KneserNey(train, len(model.vocab), model.config.ngram_order)
        return model.next_words(job.query, job.k, mix=(mixture["lambda"], ngram))


def neighbors(job: QueryConfig) -> list:
    """The ``k`` nearest words to the word ``query`` by cosine similarity of the embeddings."""
    return lmfile.load(job.model_path).neighbors(job.query, job.k)


def export_vectors(job: ExportConfig) -> dict:
    """The embedding matrix E in word2vec text format (``count dim`` then ``word v1 … vd`` per line)."""
    model = lmfile.load(job.model_path)
    output = Path(job.output)
    atomic.check_writable(output, job.force, inputs=(job.model_path,))
    start = 0 if job.specials else len(SPECIALS)
    # a token can hold blanks (the tokenizer keeps ". . ." whole); a word2vec line cannot
    keep = [i for i in range(start, len(model.vocab)) if len(model.vocab[i].split()) == 1]
    words, vectors = [model.vocab[i] for i in keep], model.params["E"][keep]

    def write(raw):
        raw.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for word, row in zip(words, vectors):
            raw.write((word + " " + " ".join(f"{x:.6g}" for x in row.tolist()) + "\n").encode("utf-8"))

    atomic.atomic_write(output, write, replace=job.force)
    skipped = len(model.vocab) - start - len(keep)
    if skipped:
        log.info("left out %d token(s) with blanks inside (such as '. . .'): a word2vec line cannot hold them", skipped)
    return {"path": str(output), "words": len(words), "dim": int(vectors.shape[1]), "skipped": skipped}
