"""Six features vs six + minilm vs minilm alone, LR vs MLP, with sentclf's own pipelines.

    python bench/embeddings_accuracy.py        (needs `make minilm`)

MR: 10-fold stratified CV, seed 0, folds in parallel on 2 cores; per cell mean ± std, and the
paired per-fold difference MLP − LR. SST-2: train on train, score on test. (Never MR→SST-2: they
share sentences.) Default options (pool mean,max; LR C=1; MLP 100 ReLU, alpha 1e-4) unless a row
says otherwise.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import read_mr, read_sst2

from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.models.spec import ModelConfig
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.classify.vectors.sources import load_minilm
from sentclf.text import tokenize_all

FEATURE_SETS = {
    "six": None,
    "six + minilm mean,max": EmbeddingConfig(source="minilm"),
    "minilm mean,max alone": EmbeddingConfig(source="minilm", lexicon_features=False),
    "six + minilm mean": EmbeddingConfig(source="minilm", pool="mean"),
}
MODELS = {"lr": ModelConfig(), "mlp": ModelConfig(), "lr C=0.01": ModelConfig(c=0.01)}


def pipeline(kind: str, emb, table, lexicon):
    return build_pipeline(kind.split()[0], lexicon, MODELS[kind], emb, table if emb else None)


def main() -> None:
    lexicon, table = load_lexicon(), load_minilm()
    mr_x, mr_y = read_mr()
    mr_tokens = tokenize_all(mr_x)
    (tr_x, tr_y), (te_x, te_y) = read_sst2("train"), read_sst2("test")
    tr_tokens, te_tokens = tokenize_all(tr_x), tokenize_all(te_x)
    folds = StratifiedKFold(10, shuffle=True, random_state=0)
    print("| features | model | MR 10-fold accuracy | MLP − LR per fold | SST-2 test | seconds |")
    print("|---|---|---|---|---|---|")
    for name, emb in FEATURE_SETS.items():
        scores = {}
        for kind in MODELS:
            start = time.perf_counter()
            scores[kind] = cross_val_score(pipeline(kind, emb, table, lexicon), mr_tokens, mr_y, cv=folds, n_jobs=2)
            sst = pipeline(kind, emb, table, lexicon).fit(tr_tokens, tr_y).score(te_tokens, te_y)
            diff = ""
            if kind == "mlp":
                delta = scores["mlp"] - scores["lr"]
                diff = f"{delta.mean():+.4f} ± {delta.std():.4f} (MLP ahead in {int((delta > 0).sum())}/10)"
            print(
                f"| {name} | {kind} | {scores[kind].mean():.4f} ± {scores[kind].std():.4f} | {diff} | {sst:.4f} "
                f"| {time.perf_counter() - start:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
