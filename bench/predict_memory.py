"""Does `sentclf predict` stream? Peak memory on a small and a 10x larger input should be the same.

    python bench/predict_memory.py [MB]       (default 20: measures 20 MB and 200 MB inputs)

Trains a model on the default corpus, writes inputs by repeating its tweets, and runs
`sentclf predict --jsonl FILE > /dev/null` in a child process per input, reading the child's peak
resident memory (ru_maxrss) from a fresh wrapper process each time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def write_input(path: Path, megabytes: int) -> int:
    from sentclf.data.corpus import load_default_corpus

    block = ("\n".join(load_default_corpus().texts) + "\n").encode()
    lines, written = block.count(b"\n"), 0
    with open(path, "wb") as out:
        while written < megabytes * 1_000_000:
            out.write(block)
            written += len(block)
    return lines * (written // len(block))


def peak_kb(command: list) -> tuple:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()), time.perf_counter() - start


def main() -> None:
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    sentclf = [sys.executable, "-m", "sentclf"]
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "m.sentclf"
        subprocess.run([*sentclf, "-q", "train", "-o", str(model)], check=True, stdout=subprocess.DEVNULL)
        print("| input | documents | peak RSS | seconds | docs/s |")
        print("|---|---|---|---|---|")
        for megabytes in (base, base * 10):
            path = Path(tmp) / f"in{megabytes}.txt"
            docs = write_input(path, megabytes)
            kb, seconds = peak_kb([*sentclf, "-q", "predict", "-m", str(model), "--jsonl", str(path)])
            print(
                f"| {path.stat().st_size / 1e6:,.0f} MB | {docs:,} | {kb / 1024:,.0f} MiB | {seconds:,.1f} "
                f"| {docs / seconds:,.0f} |"
            )
            path.unlink()


if __name__ == "__main__":
    main()
