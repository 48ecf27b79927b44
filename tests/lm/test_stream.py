"""Training text on disk: the two passes give the in-memory split's vocabulary and ids; streams are read
in chunks; the shuffled windows cover every position once."""

from pathlib import Path

import numpy as np
import pytest

from sentclf.lm import stream as streams
from sentclf.lm import tokenfile, training
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import BOS_ID, Encoded
from sentclf.lm.stream import Stream, from_encoded, shuffled_batches

TEXTS = [f"the {a} {b} sat on the {c} mat" for a in ("cat", "dog", "big") for b in ("once", "twice") for c in "xyz"]
TEXTS += ["", "dogs bark", "a much longer document " * 9, "the end"]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 tokens: every pass crosses many chunk and document boundaries."""
    monkeypatch.setattr(streams, "CHUNK", 7)


@pytest.mark.parametrize("config", [LMConfig(min_count=1, holdout=0.2, seed=3), LMConfig(min_count=2, max_vocab=8)])
def test_two_passes_on_disk_equal_the_in_memory_split(tmp_path, small_chunks, config):
    prepared = tokenfile.prepare(iter(TEXTS), config, tmp_path)
    vocab, counts, train, held = training.split_text(TEXTS, config)
    assert prepared.vocab == vocab and prepared.counts.tolist() == counts.tolist()
    assert prepared.train.mapping is not None  # memory-mapped
    assert np.array_equal(prepared.train.tokens, from_encoded(train, 3).tokens)
    assert (prepared.train.documents, prepared.train.n_tokens) == (len(train.lengths), train.n_tokens)
    assert np.array_equal(prepared.held.tokens, from_encoded(held, 3).tokens)
    assert prepared.documents == len(TEXTS)  # read, empty ones included


def test_stream_is_padded_for_the_larger_of_window_and_order(tmp_path):
    prepared = tokenfile.prepare(["a b c", "d e"], LMConfig(window=2, ngram_order=5, min_count=1, holdout=0), tmp_path)
    assert prepared.train.pad == 4 and prepared.train.tokens[:4].tolist() == [BOS_ID] * 4


def test_empty_text_gives_an_empty_stream(tmp_path):
    prepared = tokenfile.prepare(["", " "], LMConfig(), tmp_path)
    assert prepared.train.n_tokens == 0 and len(prepared.train.tokens) == 0 and prepared.held is None


def test_oov_rate_and_chunked_positions(small_chunks):
    data = Stream(np.array([1, 1, 5, 0, 2, 1, 1, 0, 0, 6, 2], dtype=np.int32), 2, 2, 7)
    assert np.concatenate([data.positions(a, b) for a, b in data.spans()]).tolist() == [2, 3, 4, 7, 8, 9, 10]
    assert data.oov_rate() == pytest.approx(3 / 5)


@pytest.mark.parametrize("window, group", [(1 << 17, 8), (5, 2), (3, 1)])
def test_shuffled_batches_cover_every_position_once(monkeypatch, window, group):
    monkeypatch.setattr(streams, "WINDOW", window)
    monkeypatch.setattr(streams, "GROUP", group)
    data = from_encoded(Encoded(np.arange(3, 40, dtype=np.int32), np.array([10, 1, 20, 6])), 3)
    batches = list(shuffled_batches(data, np.random.default_rng(0), 4))
    assert all(len(b) == 4 for b in batches[:-1]) and 0 < len(batches[-1]) <= 4
    everything = np.concatenate(batches)
    assert sorted(everything.tolist()) == data.positions(0, len(data.tokens)).tolist()
    assert not np.array_equal(everything, np.sort(everything))  # shuffled


def test_a_text_within_one_group_is_shuffled_as_a_whole():
    data = from_encoded(Encoded(np.arange(3, 40, dtype=np.int32), np.array([10, 1, 20, 6])), 3)
    whole = np.random.default_rng(5).permutation(data.positions(0, len(data.tokens)))
    assert np.array_equal(np.concatenate(list(shuffled_batches(data, np.random.default_rng(5), 8))), whole)


def test_scratch_folders_of_dead_runs_on_this_host_are_removed(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    orphan = tmp_path / f"lm-{host}-{dead.stdout.strip()}-abc"
    alive = tmp_path / f"lm-{host}-{os.getpid()}-abc"
    elsewhere = tmp_path / "lm-another.host-1-abc"
    for folder in (orphan, alive, elsewhere):
        folder.mkdir()
        (folder / "train.i32").write_bytes(b"\0" * 8)
    assert tokenfile.remove_orphans(tmp_path) == [orphan]
    assert not orphan.exists() and alive.exists() and elsewhere.exists()


def test_scratch_folder_is_in_the_cache_and_removed_afterwards(monkeypatch, tmp_path):
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    with tokenfile.scratch_folder() as folder:
        assert folder.parent == tmp_path / "cache" and folder.is_dir()
        (folder / "x.i32").write_bytes(b"1234")
    assert not folder.exists()


def rss_file_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssFile:"))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status (Linux)")
def test_release_drops_the_pages_read_from_resident_memory(tmp_path):
    length = 4 << 20  # 16 MB of ids
    (tmp_path / "ids.i32").write_bytes(np.ones(length, dtype=np.int32).tobytes())
    data = streams.from_file(tmp_path / "ids.i32", 0, 0, 0, length)
    before = rss_file_kb()
    assert int(data.tokens.sum()) == length  # every page read
    touched = rss_file_kb()
    data.release()
    assert touched - before > 12_000 and rss_file_kb() - before < 2_000
    assert int(data.tokens[::1024].sum()) == length // 1024  # still readable after release
