"""The static table distilled from the sentence encoder (`--embeddings minilm-static`) against
MiniLM's input wordpiece table (`--embeddings minilm`, as it is and reduced the same way), each
pooled (mean) into logistic regression; with and without its Zipf weighting, and without PCA.

    python bench/static.py        (needs make minilm and ../shared/data)

SST-2 train -> test and MR 10-fold (seed 0, the folds bench/accuracy.py uses); the featurizing
rate is the pooled block's transform over SST-2's test sentences, best of 3, in the same run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_mr, read_sst2

from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.encoder.static import reduce, wordpiece_vectors
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.vectors.embedding_config import MINILM, MINILM_STATIC, EmbeddingConfig
from sentclf.classify.vectors.sources import WordPieceTable, load_minilm
from sentclf.text import tokenize_all


def tables() -> dict:
    base, encoder = load_minilm(), SentenceEncoder()
    raw = wordpiece_vectors(encoder)
    variants = {
        "minilm (input wordpiece table, 384)": (MINILM, base.matrix),
        "input wordpiece table, PCA 256, Zipf-weighted": (MINILM, reduce(base.matrix)),
        "minilm-static ([SEP] w [CLS], PCA 256, Zipf-weighted: the default)": (MINILM_STATIC, reduce(raw)),
        "static, PCA 256, unweighted": (MINILM_STATIC, reduce(raw, weighting="none")),
        "static, no PCA (384), unweighted": (MINILM_STATIC, raw),
    }
    out = {}
    for name, (source, matrix) in variants.items():
        table = WordPieceTable(base.words, matrix, source, base.sha256, "bench", len(base.words), 0)
        table.tokenizer = base.tokenizer
        out[name] = (source, table)
    return out


def main() -> None:
    lexicon = load_lexicon()
    (tr_x, tr_y), (te_x, te_y) = read_sst2("train"), read_sst2("test")
    tr, te = tokenize_all(tr_x), tokenize_all(te_x)
    mr_x, mr_y = read_mr()
    mr = tokenize_all(mr_x)
    folds = StratifiedKFold(10, shuffle=True, random_state=0)
    print("| pooled table | SST-2 test | MR 10-fold | featurizing, SST-2 test docs/s |\n|---|---|---|---|")
    for name, (source, table) in tables().items():
        emb = EmbeddingConfig(source=source, pool="mean", lexicon_features=False)
        model = build_pipeline("lr", lexicon, embeddings=emb, table=table).fit(tr, tr_y)
        sst = model.score(te, te_y)
        features = model[:-1]
        rates = []
        for _ in range(3):
            start = time.perf_counter()
            features.transform(te)
            rates.append(len(te) / (time.perf_counter() - start))
        fresh = build_pipeline("lr", lexicon, embeddings=emb, table=table)
        mr_score = cross_val_score(fresh, mr, mr_y, cv=folds, n_jobs=1).mean()
        print(f"| {name} | {100 * sst:.2f} | {100 * mr_score:.2f} | {max(rates):,.0f} |", flush=True)


if __name__ == "__main__":
    np.random.seed(0)
    main()
