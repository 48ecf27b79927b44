"""Reference results on ../shared/data, every model x feature set plus the reference rows.

    python bench/reference_results.py            (needs `make minilm`; ~10 minutes on 2 cores)

MR: 10-fold stratified CV, seed 0. SST-2: train -> test (one split). movie_reviews: the corpus' own
10 folds (its `fold` field), as the literature reports it. Folds run on 2 cores. Also times the
six-feature MR comparison alone (target: under a minute on 2 cores).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_movie_reviews, read_mr, read_sst2

from sentclf.classify.comparison import cross_validate
from sentclf.classify.config import CompareConfig
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.classify.vectors.sources import load_minilm
from sentclf.cli.render import COMPARE_HEADER, compare_rows, markdown_table
from sentclf.text import tokenize_all

FEATURES = ("six", "six+emb", "emb", "six+ngrams", "ngrams")


def show(title: str, report: dict, seconds: float) -> None:
    print(f"\n### {title} ({seconds:.0f} s)\n")
    print(markdown_table(compare_rows(report), COMPARE_HEADER))
    for s in report["significance"]:
        print(f"- {s['features']}: MLP − LR = {s['mean_difference']:+.4f}, p = {s['p_value']:.3f}: {s['verdict']}")
    by = {(r["features"], r["model"]): r["accuracy_mean"] for r in report["cells"]}
    print(
        f"- six-feature LR {by[('six', 'lr')]:.4f} "
        f"vs lexicon rule {by.get(('six', 'lexicon rule'), float('nan')):.4f}; "
        f"ngrams LR {by[('ngrams', 'lr')]:.4f}",
        flush=True,
    )


def run(title: str, tokens: list, labels: list, folds=None) -> None:
    config = CompareConfig(cv=10, features=FEATURES, jobs=2, embeddings=EmbeddingConfig(source="minilm"))
    start = time.perf_counter()
    report = cross_validate(tokens, labels, LEXICON, config, TABLE, folds=folds)
    show(title, report, time.perf_counter() - start)


def main() -> None:
    global LEXICON, TABLE
    LEXICON, TABLE = load_lexicon(), load_minilm()
    mr_x, mr_y = read_mr()
    mr_tokens = tokenize_all(mr_x)
    start = time.perf_counter()
    cross_validate(tokenize_all(mr_x), mr_y, LEXICON, CompareConfig(cv=10, features=("six",), jobs=2))
    print(
        f"MR, six features only, LR + MLP + reference rows, 10 folds on 2 cores, tokenizing included: "
        f"{time.perf_counter() - start:.1f} s"
    )
    run("MR, 10-fold stratified CV", mr_tokens, mr_y)
    (tr_x, tr_y), (te_x, te_y) = read_sst2("train"), read_sst2("test")
    sst_tokens = tokenize_all(tr_x + te_x)
    split = [(np.arange(len(tr_x)), np.arange(len(tr_x), len(tr_x) + len(te_x)))]
    run("SST-2, train -> test", sst_tokens, tr_y + te_y, split)
    mv_x, mv_y, mv_folds = read_movie_reviews()
    mv_folds = np.asarray(mv_folds)
    folds = [(np.flatnonzero(mv_folds != k), np.flatnonzero(mv_folds == k)) for k in range(10)]
    run("movie_reviews (polarity v2.0), its own 10 folds", tokenize_all(mv_x), mv_y, folds)


if __name__ == "__main__":
    main()
