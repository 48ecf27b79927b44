"""Distillation (issue 25): the student against its teacher and the fast models, speed and accuracy.

    python bench/distill.py speed STUDENT [TEACHER]     100,000 tweets, whole process, same run:
                                                        the student, the six-feature model, NB-LR,
                                                        (the teacher), a fastText script, a VADER script
    python bench/distill.py sst2 TEACHER [AUGMENT ...] [--unlabeled FILE]
                                                        distil an SST-2 teacher (trained on train + dev
                                                        by `train --test-size 0.112`), score SST-2 test:
                                                        teacher, student (per --augment), and nbngrams:lr
                                                        and ngrams:nb trained on the same labels
    python bench/distill.py tweets TEACHER [AUGMENT] [--unlabeled FILE]
                                                        the same on the default corpus's held-out part
    python bench/distill.py held-out TEACHER [AUGMENT] [--unlabeled FILE]
                                                        the same on the held-out part of whatever data
                                                        the teacher was trained on (e.g. MR as a CSV
                                                        kept outside the project), split as train split it

Whole-process rows are child processes timed by the wall clock, their peak RSS from getrusage (the
largest single process; with --jobs the workers share the model's pages, which each one's RSS
counts again, so the student's whole tree is also sampled for its summed PSS); the tweets are the
default corpus's 37,219, repeated to 100,000 lines. Needs the bench extra, fasttext (pip install
fasttext-wheel) and, for the static table, make minilm.

`distill` keeps the teacher's probabilities under $SENTCLF_CACHE/teacher, so a second run with the
same teacher labels nothing and its minutes are the student's alone; each row says how many texts
came from the cache (point SENTCLF_CACHE at an empty folder to time labelling again).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

BIN = Path(sys.executable).parent
KEPT = Path(__file__).resolve().parents[1] / "build" / "bench"
N_TWEETS = 100_000
ROUNDS = 3

VADER_SCRIPT = """
import sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
out = sys.stdout
for line in open(sys.argv[1], encoding="utf-8"):
    c = analyzer.polarity_scores(line)["compound"]
    out.write(("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral") + "\\n")
"""
FASTTEXT_SCRIPT = """
import sys
import fasttext
model = fasttext.load_model(sys.argv[2])
lines = [line.rstrip("\\n") for line in open(sys.argv[1], encoding="utf-8")]
labels, _ = model.predict(lines)
sys.stdout.write("\\n".join(label[0][9:] for label in labels) + "\\n")
"""


def tweets(folder: Path) -> Path:
    from sentclf.data.corpus import load_default_corpus

    texts = [t.replace("\n", " ") for t in load_default_corpus().texts]
    path = folder / "tweets100k.txt"
    path.write_text("\n".join(texts[i % len(texts)] for i in range(N_TWEETS)) + "\n", encoding="utf-8")
    return path


def timed(argv: list) -> tuple:
    """(seconds, peak RSS MB) of a child, measured by running it under a fresh grandchild's rusage."""
    code = (
        "import resource, subprocess, sys, time; s = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
        "t = time.perf_counter() - s; "
        "assert r.returncode == 0, r.stderr[-400:]; "
        "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{argv[:4]} failed: {done.stderr[-600:]}")
    seconds, rss = done.stdout.split()
    return float(seconds), float(rss)


def tree_pss(argv: list) -> float:
    """Peak summed PSS (MB) of a command and its child processes, sampled every 20 ms: each page shared
    by n processes counts 1/n in each, so the sum is the memory the whole tree takes."""
    import psutil

    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process, peak = psutil.Process(child.pid), 0.0
    while child.poll() is None:
        total = 0
        for each in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += each.memory_full_info().pss
        peak = max(peak, total / 2**20)
        time.sleep(0.02)
    return peak


def fasttext_model(folder: Path) -> Path:
    """fastText's tutorial recipe (bigrams, 25 epochs, lr 1.0) on the default corpus."""
    import fasttext

    from sentclf.data.corpus import load_default_corpus

    corpus = load_default_corpus()
    train = folder / "ft.train"
    train.write_text(
        "".join(f"__label__{y} {t.replace(chr(10), ' ')}\n" for t, y in zip(corpus.texts, corpus.labels)),
        encoding="utf-8",
    )
    model = fasttext.train_supervised(str(train), wordNgrams=2, epoch=25, lr=1.0, verbose=0)
    path = folder / "ft.bin"
    model.save_model(str(path))
    return path


def with_input(argv: list, path: Path) -> list:
    """The command with the input file in place of "{}", or after it."""
    filled = [str(path) if a == "{}" else str(a) for a in argv]
    return filled if "{}" in argv else [*filled, str(path)]


def speed(student: str, teacher: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = tweets(folder)
        one = folder / "one.txt"
        one.write_text("What a wonderful flight, the crew was friendly!\n", encoding="utf-8")
        sentclf = str(BIN / "sentclf")
        six, nblr = folder / "six.sentclf", folder / "nblr.sentclf"
        subprocess.run([sentclf, "train", "-q", "--model", "lr", "-o", six], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [sentclf, "train", "-q", "--model", "lr", "--features", "nbngrams", "-o", nblr],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (folder / "vader.py").write_text(VADER_SCRIPT)
        (folder / "fasttext_predict.py").write_text(FASTTEXT_SCRIPT)
        ft = fasttext_model(folder)
        rows = [
            ("sentclf student (distill; one process per core, the default)", [sentclf, "predict", "-q", "-m", student]),
            ("sentclf student, --jobs 1", [sentclf, "predict", "-q", "--jobs", "1", "-m", student]),
            ("sentclf six features (train --model lr)", [sentclf, "predict", "-q", "-m", str(six)]),
            ("sentclf nbngrams:lr", [sentclf, "predict", "-q", "-m", str(nblr)]),
            ("fastText (bigrams, Python script)", [sys.executable, str(folder / "fasttext_predict.py"), "{}", str(ft)]),
            ("VADER (Python script)", [sys.executable, str(folder / "vader.py"), "{}"]),
        ]
        if teacher:
            rows.insert(1, ("sentclf teacher", [sentclf, "predict", "-q", "-m", teacher]))
        # the rows take turns, ROUNDS times: this machine's speed drifts within minutes, so each row's
        # median is taken over rounds that each ran every row once
        runs: dict = {name: [] for name, _ in rows}
        for _ in range(ROUNDS):
            for name, argv in rows:
                seconds, rss = timed(with_input(argv, text))
                line, _ = timed(with_input(argv, one))
                runs[name].append((seconds, rss, line))
        print(f"\n{N_TWEETS:,} tweets, whole process, same machine and run; medians of {ROUNDS} rounds:\n")
        print("| model | 100k tweets (s) | docs/s | peak RSS (MB) | one line (s) | rounds (s) |")
        print("|---|---|---|---|---|---|")
        for name, measured in runs.items():
            seconds = float(np.median([m[0] for m in measured]))
            line = float(np.median([m[2] for m in measured]))
            rss = max(m[1] for m in measured)
            each = ", ".join(f"{m[0]:.2f}" for m in measured)
            print(f"| {name} | {seconds:.2f} | {N_TWEETS / seconds:,.0f} | {rss:.0f} | {line:.2f} | {each} |")
        pss = tree_pss(with_input(rows[0][1], text))
        print(f"\n{rows[0][0]}: peak PSS of all its processes {pss:.0f} MB (sampled every 20 ms)")


def accuracy_rows(teacher_path: str, test: tuple, train: tuple, augments: list, unlabeled=None) -> None:
    test_x, test_y = test
    train_x, train_y = train
    from sentclf.classify.distill.distill_config import DistillConfig
    from sentclf.classify.distillation import distill
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.modelfile import ModelSource, load
    from sentclf.classify.models.pipeline import build_pipeline
    from sentclf.classify.models.spec import ModelConfig
    from sentclf.text import tokenize_all

    tokens = tokenize_all(test_x)
    y = np.asarray(test_y)

    def acc(model) -> float:
        return float(np.mean(np.asarray([str(c) for c in model.classes_])[model.predict_proba(tokens).argmax(1)] == y))

    KEPT.mkdir(parents=True, exist_ok=True)
    teacher = load(teacher_path)
    print(f"| teacher ({teacher.metadata['best_model']}) | {100 * acc(teacher.pipeline()[1]):.2f} | | |", flush=True)
    lexicon = load_lexicon()
    train_tokens = tokenize_all(train_x)
    for features, kind in (("nbngrams", "lr"), ("ngrams", "nb")):
        pipeline = build_pipeline(kind, lexicon, ModelConfig(), features=features).fit(train_tokens, train_y)
        print(f"| {features}:{kind}, labels alone | {100 * acc(pipeline):.2f} | | |", flush=True)
    for augment in augments:
        # the students are kept in build/bench/, for `speed`
        start = time.perf_counter()
        output = KEPT / f"{Path(teacher_path).stem}-student-augment-{'auto' if augment is None else augment}.sentclf"
        config = DistillConfig(
            teacher=ModelSource(teacher_path), output=str(output), augment=augment, unlabeled=unlabeled, force=True
        )
        result = distill(config)
        minutes = (time.perf_counter() - start) / 60
        student = load(result.path).pipeline()[1]
        held = result.metadata["distilled"]["held_out"]
        texts = result.metadata["distilled"]["texts_labelled_by_teacher"]
        cached = result.metadata["distilled"].get("teacher_labels_cached", 0)  # the minutes depend on it
        print(
            f"| student, --augment {augment} ({texts:,} texts labelled, {cached:,} of them cached) | "
            f"{100 * acc(student):.2f} | "
            f"{100 * held['agreement']:.2f} | {minutes:.1f} |",
            flush=True,
        )


def sst2(teacher: str, augments: list, unlabeled: str | None = None) -> None:
    from shared_data import read_sst2

    train_x, train_y = read_sst2("train")
    test_x, test_y = read_sst2("test")
    print("\nSST-2 test (1,821), teacher and students distilled from it, same run:\n")
    print("| model | accuracy | agreement with teacher (held out) | distill minutes |\n|---|---|---|---|")
    accuracy_rows(teacher, (test_x, test_y), (train_x, train_y), augments, unlabeled_inputs(unlabeled))


def default_corpus(teacher: str, augments: list, unlabeled: str | None = None) -> None:
    from sentclf.data.corpus import load_default_corpus

    held_out_rows(
        "Default corpus, its held-out 20% (train's split)", teacher, load_default_corpus(), 0.2, 0, augments, unlabeled
    )


def teachers_held_out(teacher: str, augments: list, unlabeled: str | None = None) -> None:
    """The teacher's own data, split as ``train`` split it (and as ``distill`` splits it again)."""
    from sentclf.classify.distill.distill_config import DistillConfig
    from sentclf.classify.distillation import teacher_data
    from sentclf.classify.modelfile import ModelSource, load

    data, test_size, seed = teacher_data(DistillConfig(teacher=ModelSource(teacher)), load(teacher))
    dataset = data.load()
    held_out_rows(
        f"{dataset.source}, the teacher's held-out part", teacher, dataset, test_size, seed, augments, unlabeled
    )


def held_out_rows(title: str, teacher: str, dataset, test_size: float, seed: int, augments: list, unlabeled) -> None:
    """The rows of :func:`accuracy_rows` on ``dataset``'s held-out part, split as ``train`` splits it."""
    from sentclf.classify.training import held_out_split, prepare_dataset

    texts, _, labels, _, _ = prepare_dataset(dataset, test_size)
    train, test = held_out_split(labels, test_size, seed)
    print(f"\n{title} ({len(test):,}), same run:\n")
    print("| model | accuracy | agreement with teacher (held out) | distill minutes |\n|---|---|---|---|")
    pick = lambda rows, items: [items[i] for i in rows]  # noqa: E731
    test_part, train_part = (pick(test, texts), pick(test, labels)), (pick(train, texts), pick(train, labels))
    accuracy_rows(teacher, test_part, train_part, augments, unlabeled_inputs(unlabeled))


def unlabeled_inputs(path: str | None):
    """``distill``'s unlabeled texts: the lines of ``path`` (None: none)."""
    from sentclf.data.inputs import Inputs

    return Inputs(files=[path]) if path else None


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    what = args[0]
    unlabeled = args[args.index("--unlabeled") + 1] if "--unlabeled" in args else None
    augments = [int(a) for a in args[2:] if a not in ("--unlabeled", unlabeled)] or [None]
    if what == "speed":
        speed(args[1], args[2] if len(args) > 2 else None)
    elif what == "sst2":
        sst2(args[1], augments, unlabeled)
    elif what == "tweets":
        default_corpus(args[1], augments, unlabeled)
    elif what == "held-out":
        teachers_held_out(args[1], augments, unlabeled)
    else:
        raise SystemExit(__doc__)
