"""Vector-file parsing: sentclf's streaming loader vs gensim's KeyedVectors.load_word2vec_format.

    python bench/vectors_load.py [N_WORDS] [DIM]      (default 300000 x 100: a ~270 MB text file)

Generates a word2vec text file of random vectors (5 decimals, like GloVe's files), then runs each
loader in a fresh child process and reports wall seconds, MB/s of file parsed, and the child's peak
resident memory. Rows: gensim loading everything; sentclf loading everything; sentclf keeping a
50,000-word vocabulary (what `train --embeddings` does). The import-only rows give each side's
baseline memory (sentclf's package imports scikit-learn).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
kind, path, vocab_file = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if kind.startswith("gensim"):
    from gensim.models import KeyedVectors
    rows = 0 if kind.endswith("import") else len(KeyedVectors.load_word2vec_format(path, binary=False).index_to_key)
elif kind == "sentclf import":
    from sentclf.classify.vectors.files import read_vectors
    rows = 0
else:
    from sentclf.classify.vectors.files import read_vectors
    vocab = set(open(vocab_file).read().split()) if kind == "sentclf-50k" else None
    table = read_vectors(path, vocab=vocab, fold_case=vocab is not None)
    rows = len(table.words)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(path: Path, n_words: int, dim: int) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w") as out:
        out.write(f"{n_words} {dim}\n")
        for start in range(0, n_words, 10_000):
            block = rng.normal(0, 0.4, size=(min(10_000, n_words - start), dim))
            lines = (f"w{start + i} " + " ".join(f"{v:.5f}" for v in row) for i, row in enumerate(block))
            out.write("\n".join(lines) + "\n")


def run(kind: str, path: Path, vocab_file: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), str(vocab_file)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main() -> None:
    n_words = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    dim = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    with tempfile.TemporaryDirectory() as tmp:
        path, vocab_file = Path(tmp) / "vectors.txt", Path(tmp) / "vocab.txt"
        start = time.perf_counter()
        generate(path, n_words, dim)
        rng = np.random.default_rng(1)
        vocab_file.write_text("\n".join(f"w{i}" for i in rng.choice(n_words, 50_000, replace=False)))
        megabytes = path.stat().st_size / 1e6
        print(f"{n_words:,} words x {dim}d, {megabytes:,.0f} MB (generated in {time.perf_counter() - start:.0f} s)\n")
        print("| loader | rows kept | seconds | MB/s | peak RSS MB | speed vs gensim |")
        print("|---|---|---|---|---|---|")
        base = None
        for kind in ("gensim import", "sentclf import"):
            r = run(kind, path, vocab_file)
            print(f"| {kind} only (baseline) | - | - | - | {r['peak_mb']:,.0f} | - |")
        for kind in ("gensim", "sentclf", "sentclf-50k"):
            r = run(kind, path, vocab_file)
            base = base or r["seconds"]
            print(
                f"| {kind} | {r['rows']:,} | {r['seconds']:.1f} | {megabytes / r['seconds']:,.0f} "
                f"| {r['peak_mb']:,.0f} | {base / r['seconds']:.2f}× |",
                flush=True,
            )


if __name__ == "__main__":
    main()
