"""Accuracy against the classic published results and peers measured in the same run, on the same folds.

    python bench/accuracy.py [mr[:N]|sst2|reviews[:N]|zeroshot[:ensemble|:ft] ...]   (:N the first N folds)
    python bench/accuracy.py recipe:mr:2,3,4        (--optimize accuracy alone on those folds, a line each)
    (default: all four; needs make minilm and the bench extra)

mr: 10-fold stratified CV (seed 0) on the 10,662 sentences. sst2: train on train, score on test.
reviews: the 2,000 full reviews, 10-fold by their own fold field. Every row sees the same folds:
the peers (VADER's compound sign, multinomial NB and NB-SVM, i.e. NB features with a linear SVM)
and sentclf's rows (--optimize efficiency: six features; the blocks; --optimize accuracy: the ensemble).
zeroshot: the --optimize accuracy model and the fine-tuned encoder (--model ft), trained on the default
corpus (tweets, three classes), score MR and SST-2 test, which they never saw, as positive when
P(positive) > P(negative), and our own three-class posts (bench/data), each also with --adapt-priors,
against VADER in the same run.
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
# the recipe before issue 24 (the frozen encoder in a 5-fold stack), beside today's (EnsembleConfig())
FROZEN_RECIPE = EnsembleConfig(tuple("six+encoder:lr" if m == "encoder:ft" else m for m in ACCURACY_MEMBERS), "stack")
ENSEMBLES = ((FROZEN_RECIPE, " (the recipe before: frozen encoder)"), (EnsembleConfig(), " (--optimize accuracy)"))


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


def sentclf_rows(tokens: list, labels: list, folds: list, encoder, ensembles=None, jobs: int = 2):
    """sentclf's rows, one at a time as each is measured: each block alone, then the ensembles
    (``ensembles`` given: those alone)."""
    lexicon = load_lexicon()
    for features, kind in BLOCK_ROWS if ensembles is None else ():
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
    for ensemble, note in ENSEMBLES if ensembles is None else ensembles:
        config = CompareConfig(
            cv=max(2, len(folds)),
            models=("ensemble",),
            features=("six",),
            jobs=jobs,
            ensemble=ensemble,
            model=ModelConfig(class_weight=RECIPE_CLASS_WEIGHT),
        )
        cell = next(
            c
            for c in cross_validate(tokens, labels, lexicon, config, folds=folds, encoder=encoder)["cells"]
            if c["model"] == "ensemble"
        )
        yield (f"sentclf ensemble {cell['features']}{note}", cell["accuracy_mean"], cell["accuracy_std"])


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


def table(name: str, encoder, first: int | None = None) -> None:
    texts, labels, folds = dataset(name)
    folds = folds[:first]  # mr:1 -> the first fold only (the recipe fine-tunes once per fold)
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


def recipe_folds(name: str, encoder, chosen: list) -> None:
    """The --optimize accuracy row alone, one line per fold as each ends (``chosen``: 1-based fold
    numbers), so that a run of the fine-tuning recipe over ten folds keeps what it measured so far."""
    texts, labels, folds = dataset(name)
    tokens = tokenize_all(texts)
    for k in chosen:
        start = time.perf_counter()
        # jobs=1: the fold runs in this process, where the fine-tuning's BLAS has both cores (a fold
        # worker's BLAS gets one core of two)
        rows = list(sentclf_rows(tokens, labels, [folds[k - 1]], encoder, ENSEMBLES[-1:], jobs=1))
        minutes = (time.perf_counter() - start) / 60
        print(f"| {name} fold {k} | {rows[-1][0]} | {100 * rows[-1][1]:.2f} | {minutes:.1f} min |", flush=True)


def zeroshot(encoder, kinds=("ensemble", "ft")) -> None:
    """Train --optimize accuracy, and the fine-tuned encoder, on the default corpus; then score MR and
    SST-2 test (positive/negative: P(positive) > P(negative)) and bench/data/threeclass.jsonl (three
    classes, our own posts), none of them ever seen, each as it is and with --adapt-priors."""
    import json
    import tempfile

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from sentclf.classify.config import TrainConfig
    from sentclf.classify.modelfile import load
    from sentclf.classify.models.priors import adapt_priors, training_priors
    from sentclf.classify.training import train

    own = [json.loads(line) for line in (Path(__file__).parent / "data" / "threeclass.jsonl").open(encoding="utf-8")]
    sets = (
        ("MR (10,662 sentences)", *read_mr(), 2),
        ("SST-2 test (1,821)", *read_sst2("test"), 2),
        ("our three-class posts (90)", [r["text"] for r in own], [r["label"] for r in own], 3),
    )
    vader = SentimentIntensityAnalyzer()
    rows = {}
    for name, texts, labels, n_classes in sets:
        compound = np.array([vader.polarity_scores(t)["compound"] for t in texts])
        if n_classes == 2:
            said = np.where(compound >= 0, "pos", "neg")
        else:  # VADER's own thresholds for three classes
            said = np.where(compound >= 0.05, "positive", np.where(compound <= -0.05, "negative", "neutral"))
        rows[name] = {"VADER": np.mean(said == np.asarray(labels))}
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            config = (
                TrainConfig(optimize="accuracy", output=f"{tmp}/m.sentclf")
                if kind == "ensemble"
                else TrainConfig(models=("ft",), output=f"{tmp}/m.sentclf")
            )
            report = train(config).as_dict()
            seconds = time.perf_counter() - start
            model = load(f"{tmp}/m.sentclf")
        pipeline = model.pipelines[kind]
        held = report["metrics"][kind]
        print(
            f"{kind} trained on the default corpus in {seconds:.0f} s: held-out tweets accuracy "
            f"{held['accuracy']:.3f}, macro-F1 {held['macro_f1']:.3f}",
            flush=True,
        )
        classes = [str(c) for c in pipeline.classes_]
        trained = training_priors(model.metadata, classes)
        for name, texts, labels, n_classes in sets:
            y = np.asarray(labels)
            proba = pipeline.predict_proba(tokenize_all(texts))
            for adapted in (False, True):
                p = adapt_priors(proba, trained)[0] if adapted else proba
                if n_classes == 2:
                    said = np.where(p[:, classes.index("positive")] > p[:, classes.index("negative")], "pos", "neg")
                else:
                    said = np.asarray(classes)[p.argmax(axis=1)]
                rows[name][f"{kind}{' --adapt-priors' if adapted else ''}"] = np.mean(said == y)
    columns = list(next(iter(rows.values())))
    print(f"\n| test set | {' | '.join(columns)} |\n|---|{'---|' * len(columns)}")
    for name, scores in rows.items():
        print(f"| {name} | {' | '.join(f'{100 * scores[c]:.2f}' for c in columns)} |", flush=True)


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["mr", "sst2", "reviews", "zeroshot"]
    shared = SentenceEncoder()
    for part in chosen:
        if part.startswith("recipe:"):  # recipe:mr:2,3,4 -> the recipe alone on MR's folds 2, 3 and 4
            _, name, numbers = part.split(":")
            recipe_folds(name, shared, [int(k) for k in numbers.split(",")])
        elif part.startswith("zeroshot"):  # zeroshot:ensemble or zeroshot:ft trains that one alone
            zeroshot(shared, tuple(part.split(":")[1:]) or ("ensemble", "ft"))
        else:  # mr, or mr:N for the first N of its folds
            name, _, first = part.partition(":")
            table(name, shared, int(first) if first else None)
