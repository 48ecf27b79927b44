"""Which polarity lists should ship? Six features + logistic regression, per lexicon.

    python bench/lexicons.py        (needs vaderSentiment: pip install -e '.[bench]')

MR: 10-fold stratified CV, seed 0. SST-2: train on train, score on dev. Hu & Liu comes from
../shared/data/lexicon_huliu (a reference: we do not ship it); VADER lists are derived at several
valence thresholds with lexicons/tools/build_vader_lexicon.py's own function.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from sklearn.model_selection import StratifiedKFold, cross_val_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from shared_data import huliu_dir, read_mr, read_sst2

from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.text import tokenize_all

THRESHOLDS = (0.3, 0.5, 1.0)


def _builder():
    spec = importlib.util.spec_from_file_location("build_vader", HERE.parent / "lexicons/tools/build_vader_lexicon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vader_lexicon(threshold: float, folder: Path):
    build = _builder()
    positive, negative = build.derive(build.vader_lexicon_path().read_text(encoding="utf-8"), threshold)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "positive.txt").write_text("\n".join(positive) + "\n")
    (folder / "negative.txt").write_text("\n".join(negative) + "\n")
    return load_lexicon(lexicon_dir=folder)


def main() -> None:
    mr_x, mr_y = read_mr()
    mr_tokens = tokenize_all(mr_x)
    (tr_x, tr_y), (dv_x, dv_y) = read_sst2("train"), read_sst2("dev")
    tr_tokens, dv_tokens = tokenize_all(tr_x), tokenize_all(dv_x)
    with tempfile.TemporaryDirectory() as tmp:
        lexicons = {"Hu & Liu (reference, not shipped)": load_lexicon(lexicon_dir=huliu_dir())}
        for t in THRESHOLDS:
            lexicons[f"VADER, T = {t}"] = vader_lexicon(t, Path(tmp) / str(t))
        print("| lexicon | entries pos / neg | MR 10-fold accuracy | SST-2 dev accuracy |")
        print("|---|---|---|---|")
        for name, lexicon in lexicons.items():
            pipeline = build_pipeline("lr", lexicon)
            cv = cross_val_score(pipeline, mr_tokens, mr_y, cv=StratifiedKFold(10, shuffle=True, random_state=0))
            dev = pipeline.fit(tr_tokens, tr_y).score(dv_tokens, dv_y)
            sizes = lexicon.sizes()
            print(
                f"| {name} | {sizes['positive']:,} / {sizes['negative']:,} | {cv.mean():.3f} ± {cv.std():.3f} "
                f"| {dev:.3f} |"
            )


if __name__ == "__main__":
    main()
