"""Start-up: `sentclf --help` (and the other commands that need no model) against
`python -c "import click"`, interleaved in the same run, so that a busy machine slows both alike.

    python bench/startup.py [ROUNDS]      target: sentclf --help within 2.5x of importing click

Each round runs every command once as a fresh process; the table gives the median wall time over
the rounds and its ratio to the click import. Needs nothing from ../shared.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "from sentclf.cli import main; main()"  # what the installed `sentclf` script runs


def commands(scratch: str) -> dict:
    model = str(ROOT / "tests" / "golden" / "legacy-0.1.0.sentclf")
    return {
        'python -c "import click" (the peer)': [sys.executable, "-c", "import click"],
        "sentclf --help": [sys.executable, "-c", ENTRY, "--help"],
        "sentclf train --help": [sys.executable, "-c", ENTRY, "train", "--help"],
        "sentclf info MODEL": [sys.executable, "-c", ENTRY, "info", model],
        "sentclf data list": [sys.executable, "-c", ENTRY, "data", "list", "--dir", scratch],
    }


def main(rounds: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        runs = commands(scratch)
        times: dict = {name: [] for name in runs}
        for _ in range(rounds):
            for name, argv in runs.items():
                start = time.perf_counter()
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
                times[name].append(time.perf_counter() - start)
    peer = statistics.median(next(iter(times.values())))
    print(f"median of {rounds} rounds, interleaved, {sys.executable}")
    print("| command | median s | ratio to import click |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.3f} | {statistics.median(values) / peer:.2f}x |")
    ratio = statistics.median(times["sentclf --help"]) / peer
    print(f"\nsentclf --help / import click = {ratio:.2f} (target: at most 2.5)")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
