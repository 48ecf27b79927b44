"""Accuracy against the classic published results and peers measured in the same run, on the same folds.

    python bench/accuracy.py [mr|sst2|reviews|zeroshot ...]     (default: all four; needs make minilm, bench extra)

mr: 10-fold stratified CV (seed 0) on the 10,662 sentences. sst2: train on train, score on test.
reviews: the 2,000 full reviews, 10-fold by their own fold field. Every row sees the same folds:
the peers (VADER's compound sign, multinomial NB and NB-SVM, i.e. NB features with a linear SVM)
and sentclf's rows (--optimize efficiency: six features; the blocks; --optimize accuracy: the ensemble).
zeroshot: the --optimize accuracy model trained on the default corpus (tweets, three classes) scores
MR and SST-2 test, which it never saw, as positive when P(positive) > P(negative), against VADER.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_movie_reviews, read_mr, read_sst2
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from sentclf.classify.comparison import cross_validate
from sentclf.classify.config import CompareConfig
from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.features.nbngrams import NBWeightedNgrams
from sentclf.classify.features.ngrams import passthrough
from sentclf.classify.features.sentence_vectors import SentenceVectors
from sentclf.classify.models.spec import ACCURACY_MEMBERS, RECIPE_CLASS_WEIGHT, EnsembleConfig, ModelConfig
from sentclf.text import tokenize_all

PUBLISHED = {
    "mr": "NB-SVM 79.4 (Wang & Manning 2012), CNN 81.5 (Kim 2014), DAN 80.3 (Iyyer et al. 2015)",
    "sst2": "CNN-non-static 87.2 (Kim 2014), target 86.0",
    "reviews": "NB-SVM 89.45 (Wang & Manning 2012)",
}
TARGETS = {"mr": 0.815, "sst2": 0.860, "reviews": 0.895}
BLOCK_ROWS = (("six", "lr"), ("nbngrams", "lr"), ("encoder", "lr"), ("six+encoder", "mlp"))
ENSEMBLES = (("stack", ACCURACY_MEMBERS), ("soft", ACCURACY_MEMBERS))


def peers(texts: list, tokens: list, labels: np.ndarray, folds: list) -> list:
    """(name, mean accuracy, std) of VADER, multinomial NB and NB-SVM on the given folds."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    signs = np.array(["pos" if vader.polarity_scores(t)["compound"] >= 0 else "neg" for t in texts])
    rows = [("VADER (compound sign, no training)", [float(np.mean(signs[test] == labels[test])) for _, test in folds])]
    counts = {"tokenizer": passthrough, "preprocessor": passthrough, "token_pattern": None, "lowercase": False}
    models = {
        "multinomial NB (1-2-grams, scikit-learn)": lambda: make_pipeline(
            CountVectorizer(ngram_range=(1, 2), **counts), MultinomialNB()
        ),
        "NB-SVM (NB-weighted 1-3-grams, linear SVM)": lambda: make_pipeline(NBWeightedNgrams(), LinearSVC(C=0.1)),
    }
    for name, make in models.items():
        scores = []
        for train, test in folds:
            model = make().fit([tokens[i] for i in train], labels[train])
            scores.append(float(np.mean(model.predict([tokens[i] for i in test]) == labels[test])))
        rows.append((name, scores))
    return [(name, float(np.mean(s)), float(np.std(s, ddof=1)) if len(s) > 1 else 0.0) for name, s in rows]


def sentclf_rows(tokens: list, labels: list, folds: list, encoder):
    """sentclf's rows, one at a time as each is measured: each block alone, then the ensembles."""
    lexicon = load_lexicon()
    for features, kind in BLOCK_ROWS:
        config = CompareConfig(cv=max(2, len(folds)), models=(kind,), features=(features,), jobs=2)
        cell = next(
            c
            for c in cross_validate(tokens, labels, lexicon, config, folds=folds, encoder=encoder)["cells"]
            if c["model"] == kind
        )
        yield (
            f"sentclf {features}:{kind}" + (" (--optimize efficiency)" if features == "six" else ""),
            cell["accuracy_mean"],
            cell["accuracy_std"],
        )
    for method, members in ENSEMBLES:
        config = CompareConfig(
            cv=max(2, len(folds)),
            models=("ensemble",),
            features=("six",),
            jobs=2,
            ensemble=EnsembleConfig(members, method),
            model=ModelConfig(class_weight=RECIPE_CLASS_WEIGHT),
        )
        cell = next(
            c
            for c in cross_validate(tokens, labels, lexicon, config, folds=folds, encoder=encoder)["cells"]
            if c["model"] == "ensemble"
        )
        recipe = EnsembleConfig()
        chosen = (recipe.chosen_method, recipe.chosen_members)
        accuracy = " (--optimize accuracy)" if (method, tuple(members)) == chosen else ""
        yield (f"sentclf ensemble {cell['features']}{accuracy}", cell["accuracy_mean"], cell["accuracy_std"])


def dataset(name: str) -> tuple:
    """(texts, labels, folds) with the folds every row shares."""
    if name == "mr":
        texts, labels = read_mr()
        folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(np.zeros(len(labels)), labels))
    elif name == "sst2":
        train_x, train_y = read_sst2("train")
        test_x, test_y = read_sst2("test")
        texts, labels = train_x + test_x, train_y + test_y
        folds = [(np.arange(len(train_x)), np.arange(len(train_x), len(texts)))]
    else:
        texts, labels, fold_ids = read_movie_reviews()
        ids = np.asarray(fold_ids)
        folds = [(np.flatnonzero(ids != f), np.flatnonzero(ids == f)) for f in sorted(set(fold_ids))]
    return texts, labels, folds


def table(name: str, encoder) -> None:
    texts, labels, folds = dataset(name)
    tokens = tokenize_all(texts)
    start = time.perf_counter()
    SentenceVectors(encoder=encoder).fit(tokens[:1]).transform(tokens)  # every row below reads the cache
    print(
        f"\n### {name}: {len(texts):,} documents, {len(folds)} fold(s); encoded in {time.perf_counter() - start:.0f} s "
        f"(cached on later runs). Published: {PUBLISHED[name]}.\n",
        flush=True,
    )
    print("| model | accuracy | std over folds |\n|---|---|---|")
    y = np.asarray(labels, dtype=object)
    for row_name, mean, std in itertools.chain(
        peers(texts, tokens, y, folds), sentclf_rows(tokens, labels, folds, encoder)
    ):
        print(f"| {row_name} | {100 * mean:.2f} | {100 * std:.2f} |", flush=True)
    print(f"\nTarget: {100 * TARGETS[name]:.1f}.", flush=True)


def zeroshot(encoder) -> None:
    """Train --optimize accuracy on the default corpus, then score MR and SST-2 test (never seen)."""
    import tempfile

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from sentclf.classify.config import TrainConfig
    from sentclf.classify.modelfile import load
    from sentclf.classify.training import train

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = train(TrainConfig(optimize="accuracy", output=f"{tmp}/acc.sentclf")).as_dict()
        seconds = time.perf_counter() - start
        pipeline = load(f"{tmp}/acc.sentclf").pipelines["ensemble"]
    held = report["metrics"]["ensemble"]
    print(
        f"\n### zero-shot: --optimize accuracy trained on the default corpus in {seconds:.0f} s "
        f"(held-out tweets: accuracy {held['accuracy']:.3f}, macro-F1 {held['macro_f1']:.3f})\n"
    )
    print(
        "| test set | VADER (compound sign) | sentclf --optimize accuracy, P(positive) > P(negative) |\n|---|---|---|"
    )
    vader = SentimentIntensityAnalyzer()
    classes = list(pipeline.classes_)
    for name, (texts, labels) in (("MR (10,662 sentences)", read_mr()), ("SST-2 test (1,821)", read_sst2("test"))):
        y = np.asarray(labels)
        signs = np.array(["pos" if vader.polarity_scores(t)["compound"] >= 0 else "neg" for t in texts])
        proba = pipeline.predict_proba(tokenize_all(texts))
        ours = np.where(proba[:, classes.index("positive")] > proba[:, classes.index("negative")], "pos", "neg")
        print(f"| {name} | {100 * np.mean(signs == y):.2f} | {100 * np.mean(ours == y):.2f} |", flush=True)


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["mr", "sst2", "reviews", "zeroshot"]
    shared = SentenceEncoder()
    for part in chosen:
        zeroshot(shared) if part == "zeroshot" else table(part, shared)
