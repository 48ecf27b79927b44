"""Six-feature extraction throughput vs VADER's polarity_scores, same documents, same process.

    python bench/speed.py            (needs vaderSentiment: pip install -e '.[bench]')

Both sides take raw text and do all their work (tokenizing included), single process, one core.
Each timing is the best of REPEATS runs over the same documents.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_movie_reviews

from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.features.six import LectureFeatures
from sentclf.data.corpus import load_default_corpus

REPEATS = 3


def best_seconds(func, texts: list) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        func(texts)
        best = min(best, time.perf_counter() - start)
    return best


def sentclf_features(texts: list) -> None:
    FEATURES.transform(texts)  # the fitted transformer sentclf's pipelines run: tokenize + x1..x6


def vader_scores(texts: list) -> None:
    for text in texts:
        VADER.polarity_scores(text)


def measure(name: str, texts: list) -> dict:
    ours, theirs = best_seconds(sentclf_features, texts), best_seconds(vader_scores, texts)
    words = sum(len(t.split()) for t in texts) / len(texts)
    return {
        "corpus": name,
        "docs": len(texts),
        "mean_words": words,
        "sentclf": len(texts) / ours,
        "vader": len(texts) / theirs,
        "ratio": theirs / ours,
    }


def main() -> list:
    global FEATURES, VADER
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    FEATURES, VADER = LectureFeatures(lexicon=load_lexicon()).fit([]), SentimentIntensityAnalyzer()
    rows = [
        measure("default corpus (tweets)", load_default_corpus().texts),
        measure("movie_reviews (full reviews)", read_movie_reviews()[0]),
    ]
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {REPEATS}, single process\n")
    print("| corpus | docs | mean words | sentclf six features docs/s | VADER polarity_scores docs/s | ratio |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['corpus']} | {r['docs']:,} | {r['mean_words']:.0f} | {r['sentclf']:,.0f} | {r['vader']:,.0f} "
            f"| {r['ratio']:.1f}× |"
        )
    return rows


if __name__ == "__main__":
    main()
