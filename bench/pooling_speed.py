"""Pooling throughput: PooledEmbeddings.transform docs/s on tweets and on full-length reviews.

    python bench/pooling_speed.py       (needs `make minilm`)

Tables: minilm (30,522 x 384 WordPieces) and a word table of 100,000 random 300-d vectors keyed by
the corpus' own most frequent tokens (a stand-in for GloVe 300d: the pooling cost depends on the
dimension and the token count, not on the values). Input: token lists (tokenizing is measured in
bench/speed.py). Best of 3, mean,max pooling, single process.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_movie_reviews

from sentclf.classify.features.embeddings import PooledEmbeddings
from sentclf.classify.vectors.files import VectorTable
from sentclf.classify.vectors.sources import load_minilm
from sentclf.data.corpus import load_default_corpus
from sentclf.text import tokenize_all


def word_table(token_lists: list) -> VectorTable:
    counts = Counter(t for doc in token_lists for t in doc)
    words = [w for w, _ in counts.most_common(100_000)]
    matrix = np.random.default_rng(0).normal(size=(len(words), 300)).astype(np.float32)
    return VectorTable(words, matrix, "random-300d", "-", "glove", len(words))


def best_rate(step, docs: list) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        step.transform(docs)
        best = min(best, time.perf_counter() - start)
    return len(docs) / best


def main() -> None:
    corpora = {
        "default corpus (tweets)": tokenize_all(load_default_corpus().texts),
        "movie_reviews (full reviews)": tokenize_all(read_movie_reviews()[0]),
    }
    minilm = load_minilm()
    print("| corpus | mean tokens | table | docs/s |")
    print("|---|---|---|---|")
    for name, docs in corpora.items():
        tokens = np.mean([len(d) for d in docs])
        for label, table in (("minilm 384d WordPieces", minilm), ("word table 300d", word_table(docs))):
            step = PooledEmbeddings(table=table).fit(docs[:10])
            print(f"| {name} | {tokens:.0f} | {label} | {best_rate(step, docs):,.0f} |", flush=True)


if __name__ == "__main__":
    main()
