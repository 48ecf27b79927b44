"""Run every benchmark in turn (needs ../shared/data and the bench extra): `make bench`."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for script in ("speed.py", "lexicons.py", "predict_memory.py"):
        print(f"\n## {script}\n", flush=True)
        sys.argv = [str(HERE / script)]
        runpy.run_path(str(HERE / script), run_name="__main__")
