"""Scale: parallel folds, flat-memory scoring of tables, out-of-core training, and Dask workers.

    python bench/scale.py [jobs|memory|stream|workers ...]     (default: all; workers needs the dask extra)

jobs:    compare on MR (10 folds; --features six, then the default feature sets) with --jobs 1 and 2:
         wall and CPU seconds of each run, in the same session.
memory:  predict (the six-feature MLP) on CSV and Parquet tables of 0.2M and 2M rows made by repeating
         the default corpus: peak RSS, time to the first output line, docs/s.
stream:  train --stream against in-memory train on the default corpus (accuracy, seconds, peak RSS),
         then train --stream on 2M rows.
workers: predict on 1.5M rows in Parquet: one process against --scheduler local:N for N = 1 .. the
         number of cores (a LocalCluster of N single-threaded worker processes, start-up included).

Every figure is a child process measured by /usr/bin/time; inputs are written under a temporary folder.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import SHARED, read_mr

TIME = "/usr/bin/time"


def sentclf(*args, stdout=subprocess.DEVNULL, env=None) -> dict:
    """Run ``python -m sentclf ARGS``; wall, user+sys CPU seconds and peak RSS (MB) of the child."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = [TIME, "-f", "%e %U %S %M", "-o", report.name, sys.executable, "-m", "sentclf", *map(str, args)]
        start = time.perf_counter()
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=env, text=True)
        wall = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"sentclf {' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
        _elapsed, user, system, rss = report.read().split()[-4:]
    cpu = float(user) + float(system)
    return {"wall": wall, "cpu": cpu, "rss_mb": int(rss) / 1024, "stdout": done.stdout, "stderr": done.stderr}


def write_mr_csv(folder: Path) -> Path:
    texts, labels = read_mr()
    path = folder / "mr.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels))
    return path


def default_rows() -> list:
    from sentclf.data.corpus import load_default_corpus

    corpus = load_default_corpus()
    return list(zip(corpus.texts, corpus.labels))


def write_repeated(folder: Path, rows: list, n: int, fmt: str) -> Path:
    """n rows (id, text, label) cycling through ``rows``, as CSV or Parquet."""
    path = folder / f"rows{n}.{fmt}"
    if path.exists():
        return path
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "label"])
            for i in range(n):
                text, label = rows[i % len(rows)]
                writer.writerow([i, text, label])
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    for start in range(0, n, 200_000):
        ids = list(range(start, min(n, start + 200_000)))
        table = pa.table(
            {"id": ids, "text": [rows[i % len(rows)][0] for i in ids], "label": [rows[i % len(rows)][1] for i in ids]}
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=100_000)
    if writer:
        writer.close()
    return path


def bench_jobs(folder: Path) -> None:
    data = write_mr_csv(folder)
    print("\n### compare --jobs on MR (10,662 sentences, 10 folds)\n")
    print("| feature sets | --jobs | wall s | CPU s | speed-up |\n|---|---|---|---|---|")
    for features in ("six", "default"):  # default: six, six+ngrams and ngrams, as a user's plain `compare` runs
        base = [
            "compare",
            data,
            "--cv",
            "10",
            *(["--features", features] if features != "default" else []),
            "--json",
            "-q",
        ]
        one = sentclf(*base, "--jobs", "1")
        two = sentclf(*base, "--jobs", "2")
        for jobs, run in (("1", one), ("2", two)):
            ratio = one["wall"] / run["wall"]
            print(f"| {features} | {jobs} | {run['wall']:.1f} | {run['cpu']:.1f} | {ratio:.2f}x |", flush=True)


def first_line_seconds(args: list) -> float:
    """Seconds from starting ``sentclf ARGS`` to its first line on stdout (the child is then stopped)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "sentclf", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert child.stdout is not None
    child.stdout.readline()
    first = time.perf_counter() - start
    child.kill()
    child.wait()
    return first


def bench_memory(folder: Path) -> None:
    rows = default_rows()
    model = folder / "six.sentclf"
    sentclf("train", "-o", model, "--force", "-q")
    print("\n### predict on tables: memory against input size (six-feature MLP)\n")
    print("| input | rows | MB | peak RSS MB | first line s | total s | docs/s |\n|---|---|---|---|---|---|---|")
    for fmt in ("csv", "parquet"):
        for n in (200_000, 2_000_000):
            path = write_repeated(folder, rows, n, fmt)
            run = sentclf("predict", "-m", model, path, "--csv", "-q")
            first = first_line_seconds(["predict", "-m", model, path, "--csv", "-q"])
            size = path.stat().st_size / 1e6
            print(
                f"| {fmt} | {n:,} | {size:.0f} | {run['rss_mb']:.0f} | {first:.2f} | {run['wall']:.1f} "
                f"| {n / run['wall']:,.0f} |",
                flush=True,
            )


def bench_stream(folder: Path) -> None:
    import json

    rows = default_rows()
    tweets = folder / "tweets.csv"
    with open(tweets, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    print("\n### train --stream against in-memory train, default corpus (held-out 20%)\n")
    print("| features | model | training | epochs | accuracy | wall s | peak RSS MB |\n|---|---|---|---|---|---|---|")
    cases = [("six", "lr", 1), ("six", "mlp", 1), ("six", "mlp", 3), ("six+hashed", "lr", 1), ("six+hashed", "lr", 3)]
    for features, kind, epochs in cases:
        out = folder / "s.sentclf"
        with tempfile.TemporaryFile("w+") as handle:
            run = sentclf(
                "train", tweets, "--stream", "--features", features, "--model", kind, "--epochs", epochs,
                "-o", out, "--force", "--json", "-q", stdout=handle,
            )  # fmt: skip
            handle.seek(0)
            accuracy = json.loads(handle.read())["metrics"][kind]["accuracy"]
        print(
            f"| {features} | {kind} | stream | {epochs} | {accuracy:.3f} | {run['wall']:.1f} | {run['rss_mb']:.0f} |",
            flush=True,
        )
        if epochs == 1:
            with tempfile.TemporaryFile("w+") as handle:
                run = sentclf(
                    "train", tweets, "--features", features, "--model", kind, "-o", out, "--force", "--json", "-q",
                    stdout=handle,
                )  # fmt: skip
                handle.seek(0)
                accuracy = json.loads(handle.read())["metrics"][kind]["accuracy"]
            print(
                f"| {features} | {kind} | in memory | - | {accuracy:.3f} | {run['wall']:.1f} | {run['rss_mb']:.0f} |",
                flush=True,
            )
    big = write_repeated(folder, rows, 2_000_000, "csv")
    print("\n### train --stream on 2,000,000 rows (the default corpus repeated; CSV)\n")
    print("| features | model | epochs | wall s | peak RSS MB |\n|---|---|---|---|---|")
    for features, kind in (("six", "lr"), ("six+hashed", "lr")):
        run = sentclf("train", big, "--stream", "--features", features, "--model", kind, "-o", folder / "b.sentclf",
                      "--force", "-q")  # fmt: skip
        print(f"| {features} | {kind} | 1 | {run['wall']:.1f} | {run['rss_mb']:.0f} |", flush=True)


def bench_workers(folder: Path) -> None:
    rows = default_rows()
    model = folder / "six.sentclf"
    if not model.exists():
        sentclf("train", "-o", model, "--force", "-q")
    path = write_repeated(folder, rows, 1_500_000, "parquet")
    print("\n### predict on 1,500,000 rows in Parquet: one process against a local Dask cluster\n")
    print("| how | workers | wall s | docs/s | speed-up |\n|---|---|---|---|---|")
    one = sentclf("predict", "-m", model, path, "-o", folder / "one.parquet", "--force", "-q")
    print(f"| one process (predict -o) | 1 | {one['wall']:.1f} | {1_500_000 / one['wall']:,.0f} | 1.00x |", flush=True)
    reports = []
    for workers in range(1, (os.cpu_count() or 1) + 1):
        there = sentclf(
            "predict", "-m", model, path, "-o", folder / "dask.parquet", "--force", "--scheduler", f"local:{workers}"
        )
        print(
            f"| --scheduler local:{workers} (start-up included) | {workers} | {there['wall']:.1f} "
            f"| {1_500_000 / there['wall']:,.0f} | {one['wall'] / there['wall']:.2f}x |",
            flush=True,
        )
        reports += [
            f"local:{workers}: {line.strip()}" for line in there["stderr"].splitlines() if "partition(s) on" in line
        ]
    print("\nThe cluster's own reports (scoring time, after start-up):\n" + "\n".join(reports))


if __name__ == "__main__":
    if not SHARED.exists():
        raise SystemExit(f"{SHARED}: not found (the benchmarks read ../shared/data)")
    chosen = sys.argv[1:] or ["jobs", "memory", "stream", "workers"]
    with tempfile.TemporaryDirectory(prefix="sentclf-scale-") as tmp:
        for part in chosen:
            {"jobs": bench_jobs, "memory": bench_memory, "stream": bench_stream, "workers": bench_workers}[part](
                Path(tmp)
            )
