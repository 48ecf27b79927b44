import json
import os
import zipfile

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

from sentclf import archive as bundle
from sentclf.classify import modelfile
from sentclf.errors import ModelFileError, OutputError
from sentclf.paths import default_model_path


def test_modelfile_round_trip(tmp_path):
    fitted = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], ["neg", "neg", "pos", "pos"])
    path = modelfile.save(tmp_path / "m.sentclf", {"lr": fitted}, {"labels": ["neg", "pos"]})
    loaded = modelfile.load(path)
    meta, models = loaded.metadata, loaded.pipelines
    assert list(models) == ["lr"] and models["lr"].coef_ == pytest.approx(fitted.coef_)
    assert meta["labels"] == ["neg", "pos"] and meta["format"] == "sentclf-model"
    assert set(meta["environment"]) == {"sentclf", "python", "scikit_learn", "numpy", "joblib"}


def test_modelfile_metadata_read_without_unpickling(tmp_path, monkeypatch):
    path = modelfile.save(tmp_path / "m.sentclf", {"x": 1}, {"labels": ["a"]})
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled"))
    assert bundle.read_metadata(path)["labels"] == ["a"]
    with zipfile.ZipFile(path) as archive:  # plain JSON, readable with any zip tool
        assert json.loads(archive.read("metadata.json"))["format_version"] == bundle.FORMAT_VERSION


def test_modelfile_refuses_to_overwrite_without_force(tmp_path):
    path = modelfile.save(tmp_path / "m.sentclf", {"v": LogisticRegression(C=1)}, {})
    with pytest.raises(OutputError, match="already exists: pass --force"):
        modelfile.save(path, {"v": LogisticRegression(C=2)}, {})
    modelfile.save(path, {"v": LogisticRegression(C=2)}, {}, force=True)
    assert modelfile.load(path).pipelines["v"].C == 2


def test_modelfile_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = modelfile.save(tmp_path / "m.sentclf", {"v": 1}, {})
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle.zipfile.ZipFile, "writestr", crash)
    with pytest.raises(KeyboardInterrupt):
        modelfile.save(path, {"v": 2}, {}, force=True)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.sentclf"]


def _write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing.sentclf", "model file not found"),
        (lambda p: (p / "text.sentclf", (p / "text.sentclf").write_text("hello"))[0], "not a sentclf model file"),
        (lambda p: _write_zip(p / "other.zip", {"a.txt": "x"}), "no metadata.json"),
        (lambda p: _write_zip(p / "other.zip", {"metadata.json": '{"format": "x"}'}), "not a sentclf model file"),
        (
            lambda p: _write_zip(p / "new.zip", {"metadata.json": '{"format": "sentclf-model", "format_version": 99}'}),
            "made by a newer sentclf",
        ),
        (lambda p: p, "is a folder"),
    ],
)
def test_modelfile_rejects_bad_files(tmp_path, make, message):
    with pytest.raises(ModelFileError, match=message):
        modelfile.load(make(tmp_path))


def test_modelfile_truncated_file_is_an_error(tmp_path):
    path = modelfile.save(tmp_path / "m.sentclf", {"v": list(range(1000))}, {})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        modelfile.load(path)


def test_modelfile_tampered_payload_is_an_error(tmp_path):
    path = modelfile.save(tmp_path / "m.sentclf", {"v": 1}, {})
    with zipfile.ZipFile(path) as archive:
        meta = archive.read("metadata.json")
    _write_zip(path, {"metadata.json": meta, "model.joblib": b"not a pickle"})
    with pytest.raises(ModelFileError, match="does not match its recorded sha256"):
        modelfile.load(path)


def test_modelfile_other_sklearn_version_warns(tmp_path, caplog):
    path = modelfile.save(tmp_path / "m.sentclf", {"v": LogisticRegression(C=3)}, {})
    with zipfile.ZipFile(path) as archive:
        meta, payload = json.loads(archive.read("metadata.json")), archive.read("model.joblib")
    meta["environment"]["scikit_learn"] = "0.1.0"
    _write_zip(path, {"metadata.json": json.dumps(meta), "model.joblib": payload})
    with caplog.at_level("WARNING", logger="sentclf"):
        assert modelfile.load(path).pipelines["v"].C == 3
    assert "saved with scikit-learn 0.1.0" in caplog.text


def test_modelfile_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("SENTCLF_MODEL", str(tmp_path / "x.sentclf"))
    assert default_model_path() == tmp_path / "x.sentclf"
    monkeypatch.delenv("SENTCLF_MODEL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_model_path() == tmp_path / "sentclf" / "model.sentclf"


def test_modelfile_file_mode_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = modelfile.save(tmp_path / "m.sentclf", {"v": 1}, {})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
