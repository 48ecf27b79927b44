"""The shared file container under attack and under races: bounded reads, atomic create-if-absent,
stale temporary files, and outputs that would overwrite their own input."""

import json
import os
import threading
import time
import zipfile

import pytest
from sklearn.linear_model import LogisticRegression

from sentclf import archive, atomic
from sentclf.classify import modelfile
from sentclf.errors import ModelFileError, OutputError
from tests.cli.test_cli import run


def write_zip(path, members: dict):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_archive_metadata_is_read_with_bounded_memory(tmp_path):
    huge = write_zip(tmp_path / "huge.sentclf", {"metadata.json": b"[" + b" " * 50_000_000 + b"]"})
    deep = write_zip(tmp_path / "deep.sentclf", {"metadata.json": b"[" * 100_000 + b"]" * 100_000})
    for path in (huge, deep):
        with pytest.raises(ModelFileError, match="metadata is corrupt"):
            archive.read_metadata(path)
        result = run("info", path)
        assert result.exit_code == 1 and result.stderr.startswith("Error:") and "Traceback" not in result.stderr


def test_archive_payload_never_decompresses_past_its_declared_size(tmp_path):
    path = modelfile.save(tmp_path / "m.sentclf", {"lr": LogisticRegression()}, {"labels": ["a", "b"]})
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("metadata.json"))
    bomb = b"\0" * 20_000_000  # compresses to ~20 kB; the metadata still says the old size
    meta["payload"]["sha256"] = __import__("hashlib").sha256(bomb).hexdigest()
    write_zip(path, {"metadata.json": json.dumps(meta), "model.joblib": bomb})
    with pytest.raises(ModelFileError, match="bad checksum or size"):
        modelfile.load(path)


def test_archive_concurrent_writers_without_force_exactly_one_wins(tmp_path):
    path, outcomes, start = tmp_path / "race.sentclf", [], threading.Barrier(4)

    def writer(c):
        start.wait()
        try:
            modelfile.save(path, {"lr": LogisticRegression(C=c)}, {"labels": ["a", "b"]})
            outcomes.append(("won", c))
        except OutputError as exc:
            outcomes.append(("refused", str(exc)))

    threads = [threading.Thread(target=writer, args=(c,)) for c in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [c for what, c in outcomes if what == "won"]
    assert len(winners) == 1 and len(outcomes) == 4
    assert all("already exists" in c for what, c in outcomes if what == "refused")
    assert winners[0] == modelfile.load(path).pipelines["lr"].C  # the file is the winner's, whole
    assert [p.name for p in tmp_path.iterdir()] == ["race.sentclf"]  # no temporary files left


def test_archive_stale_temp_files_are_removed_live_ones_kept(tmp_path):
    path = tmp_path / "m.sentclf"
    stale, live = tmp_path / ".m.sentclf.dead1234.tmp", tmp_path / ".m.sentclf.live5678.tmp"
    other = tmp_path / ".other.sentclf.dead.tmp"
    for tmp in (stale, live, other):
        tmp.write_bytes(b"half a file")
    old = time.time() - atomic.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    modelfile.save(path, {"lr": LogisticRegression()}, {"labels": ["a", "b"]})
    assert not stale.exists() and live.exists() and other.exists()  # only this path's old ones go


def test_archive_outputs_never_overwrite_their_input(tmp_path, fixtures):
    data = tmp_path / "x.csv"
    data.write_bytes((fixtures / "tiny.csv").read_bytes())
    trained = run("train", data, "-o", data, "--force")
    assert trained.exit_code == 1 and "is also the input" in trained.stderr
    assert data.read_bytes() == (fixtures / "tiny.csv").read_bytes()
    text = tmp_path / "t.txt"
    text.write_text("the dog sat on the mat\n" * 50)
    lm = run("lm", "train", text, "-o", text, "--force", "--epochs", "1", "--min-count", "1")
    assert lm.exit_code == 1 and "is also the input" in lm.stderr and text.read_text().startswith("the dog")
    model = tmp_path / "a.lm"
    assert run("-q", "lm", "train", text, "-o", model, "--epochs", "1", "--min-count", "1").exit_code == 0
    before = model.read_bytes()
    exported = run("lm", "export", model, model, "--force")
    assert exported.exit_code == 1 and "is also the input" in exported.stderr and model.read_bytes() == before


@pytest.mark.parametrize(
    "output, message",
    [("file.csv/sub.sentclf", "is a file, not a folder"), ("/proc/x.sentclf", "cannot write in /proc")],
)
def test_archive_unusable_output_paths_fail_before_training(tmp_path, fixtures, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.csv").write_text("text,label\n")
    result = run("train", fixtures / "tiny.csv", "-o", output)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_archive_lm_array_headers_cannot_ask_for_terabytes(tmp_path):
    """An LM file's arrays are checked against their stored size before numpy allocates them."""
    import io

    import numpy as np

    from sentclf.lm import lmfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (10**12, 50)})
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as zf:
        zf.writestr("E.npy", header.getvalue() + b"\0" * 64)
    meta = {"config": {}, "data": {}}
    path = tmp_path / "big.lm"
    archive.write_archive(path, archive.LM_FORMAT, meta, lmfile.PAYLOAD, npz.getvalue())
    with pytest.raises(ModelFileError, match="does not fit"):
        lmfile.load(path)
    result = run("lm", "perplexity", path, "-")
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "Traceback" not in result.stderr
