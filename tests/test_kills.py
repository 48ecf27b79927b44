"""Fault injection: `kill -9` at random points of `train`, `lm train` and `lm export` leaves the previous file
intact and loadable (or the new one, complete), and no temporary file that the next write keeps."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from sentclf import atomic
from sentclf.classify import modelfile
from sentclf.lm import lmfile

CLI = [sys.executable, "-c", "from sentclf.cli import main; main()"]


def kill_at_random_points(args: list, path, load, rounds: int, seed: int) -> int:
    """Run ``args`` ``rounds`` times, SIGKILL each at a random moment; check ``path`` after each."""
    rng, survived = random.Random(seed), 0
    for _ in range(rounds):
        process = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        load(path)  # the previous file, or a complete new one: never half of one
        survived += 1
    return survived


@pytest.mark.slow
def test_kills_during_train_and_lm_train_never_break_the_file(tmp_path, fixtures):
    model, lm, text = tmp_path / "m.sentclf", tmp_path / "t.lm", tmp_path / "t.txt"
    text.write_text("the cat sat on the mat . the dog sat on the rug .\n" * 400)
    base = ["train", str(fixtures / "three_class.jsonl"), "-o", str(model), "--test-size", "0.25", "-q"]
    assert subprocess.run([*CLI, *base], capture_output=True).returncode == 0
    lm_args = ["lm", "train", str(text), "-o", str(lm), "--epochs", "30", "--min-count", "1", "-q"]
    assert subprocess.run([*CLI, *lm_args, "--epochs", "1"], capture_output=True).returncode == 0
    survived = kill_at_random_points([*base, "--force"], model, modelfile.load, rounds=6, seed=1)
    survived += kill_at_random_points([*lm_args, "--force"], lm, lmfile.load, rounds=6, seed=2)
    assert survived == 12
    exported = tmp_path / "t.vec"  # lm export: the file is always the whole export, never part of one
    assert subprocess.run([*CLI, "lm", "export", str(lm), str(exported)], capture_output=True).returncode == 0
    whole = exported.read_bytes()
    rng = random.Random(3)
    for _ in range(6):
        process = subprocess.Popen([*CLI, "lm", "export", str(lm), str(exported), "--force"], stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert exported.read_bytes() == whole
    stale = list(tmp_path.glob(".*.tmp"))
    for tmp in stale:  # a killed writer's leftovers go on the next write once they are old enough
        old = time.time() - atomic.STALE_TEMP_SECONDS - 1
        os.utime(tmp, (old, old))
    assert subprocess.run([*CLI, *base, "--force"], capture_output=True).returncode == 0
    assert not list(tmp_path.glob(f".{model.name}.*.tmp"))
