"""Run every benchmark in turn (needs ../shared/data, the bench extra and minilm): `make bench`."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for script in (
        "startup.py",
        "speed.py",
        "lexicons.py",
        "predict_memory.py",
        "vectors_load.py",
        "pooling_speed.py",
        "embeddings_accuracy.py",
        "reference_results.py",
        "lm.py speed",
        "lm.py perplexity",
        "lm.py embeddings",
    ):
        print(f"\n## {script}\n", flush=True)
        name, *args = script.split()
        sys.argv = [str(HERE / name), *args]
        runpy.run_path(str(HERE / name), run_name="__main__")
