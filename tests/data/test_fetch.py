"""Dataset fetching against a local HTTP server on 127.0.0.1: no test touches the internet."""

import hashlib
import io
import json
import shutil
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sentclf.data.catalogue import Spec
from sentclf.data.converters import content_digest
from sentclf.data.fetch import dataset_path, fetch
from sentclf.errors import DataError

POS = b"a gorgeous , witty film\nsheer delight \x85 from start to end\n"  # cp1252 0x85: an ellipsis
NEG = b"a dull , lifeless mess\nnothing works\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tar_gz(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


MR_ARCHIVE = tar_gz({"rt-polaritydata/rt-polarity.pos": POS, "rt-polaritydata/rt-polarity.neg": NEG})


class Server:
    """Serves bytes by path; supports Range; 'truncate' paths drop the connection half-way once."""

    def __init__(self):
        self.files, self.truncate, self.requests = {}, set(), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Range")))
                data = outer.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = int(self.headers["Range"].split("=")[1].split("-")[0]) if self.headers.get("Range") else 0
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if self.path in outer.truncate:
                    outer.truncate.discard(self.path)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def mr_spec(server, archive_sha=None, members=None) -> dict:
    server.files["/mr.tar.gz"] = MR_ARCHIVE
    spec = Spec(
        "mr",
        "test MR",
        {"mr.tar.gz": f"{server.url}/mr.tar.gz"},
        {"mr.tar.gz": archive_sha},
        "1 KB",
        "test",
        "mr",
        outputs={"all": "mr.jsonl"},
        members=members or {"rt-polaritydata/rt-polarity.pos": sha(POS), "rt-polaritydata/rt-polarity.neg": sha(NEG)},
    )
    return {"mr": spec}


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_datasets_fetch_verifies_and_converts(server, tmp_path):
    registry = mr_spec(server, archive_sha=sha(MR_ARCHIVE))
    folder = fetch("mr", tmp_path, registry)
    rows = read_jsonl(folder / "mr.jsonl")
    assert rows[1] == {"text": "sheer delight \u2026 from start to end", "label": "pos"}  # 0x85 kept inside the line
    assert [r["label"] for r in rows] == ["pos", "pos", "neg", "neg"]
    assert json.loads((folder / "sentclf-dataset.json").read_text())["counts"] == {"all": 4}
    n_requests = len(server.requests)
    assert fetch("mr", tmp_path, registry) == folder and len(server.requests) == n_requests  # cached
    assert dataset_path("mr", tmp_path, registry) == folder / "mr.jsonl"


def test_datasets_bad_checksum_leaves_nothing(server, tmp_path):
    with pytest.raises(DataError, match="does not match its sha256"):
        fetch("mr", tmp_path, mr_spec(server, archive_sha="0" * 64))
    assert not (tmp_path / "mr").exists()
    assert not list((tmp_path / "downloads").glob("mr.tar.gz*"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mr.")]


def test_datasets_member_checksum_mismatch(server, tmp_path):
    registry = mr_spec(server, members={"rt-polaritydata/rt-polarity.pos": "1" * 64})
    with pytest.raises(DataError, match=r"rt-polarity.pos does not match its sha256"):
        fetch("mr", tmp_path, registry)
    assert not (tmp_path / "mr").exists()


def test_datasets_interrupted_download_resumes(server, tmp_path):
    registry = mr_spec(server, archive_sha=sha(MR_ARCHIVE))
    server.truncate.add("/mr.tar.gz")
    with pytest.raises(DataError, match=r"interrupted .* run the same command again to resume"):
        fetch("mr", tmp_path, registry)
    part = tmp_path / "downloads" / "mr.tar.gz.part"
    assert 0 < part.stat().st_size < len(MR_ARCHIVE)
    folder = fetch("mr", tmp_path, registry)
    assert server.requests[-1][1] == f"bytes={len(MR_ARCHIVE) // 2}-"  # continued, not restarted
    assert len(read_jsonl(folder / "mr.jsonl")) == 4 and not part.exists()


def test_datasets_corrupt_archive_is_deleted(server, tmp_path):
    registry = mr_spec(server)
    server.files["/mr.tar.gz"] = b"this is not a gzip file at all"
    with pytest.raises(DataError, match="corrupt"):
        fetch("mr", tmp_path, registry)
    assert not (tmp_path / "mr").exists() and not (tmp_path / "downloads" / "mr.tar.gz").exists()


def test_datasets_404_is_a_clear_error(server, tmp_path):
    registry = mr_spec(server)
    registry["mr"].urls = {"mr.tar.gz": f"{server.url}/missing.tar.gz"}
    with pytest.raises(DataError, match="failed \\(404"):
        fetch("mr", tmp_path, registry)


def test_datasets_unpublished_checksum_is_recorded_then_enforced(server, tmp_path):
    registry = mr_spec(server)
    fetch("mr", tmp_path, registry)
    recorded = json.loads((tmp_path / "downloads" / "recorded-sha256.json").read_text())
    assert recorded == {"mr.tar.gz": sha(MR_ARCHIVE)}
    shutil.rmtree(tmp_path / "mr")  # the user removes the dataset: it is fetched again, and checked
    (tmp_path / "downloads" / "mr.tar.gz").unlink()
    server.files["/mr.tar.gz"] = tar_gz({"rt-polaritydata/rt-polarity.pos": POS})
    with pytest.raises(DataError, match="does not match its sha256"):
        fetch("mr", tmp_path, registry)


def test_datasets_uci_and_review_folders(server, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sentiment labelled sentences/yelp_labelled.txt", "Loved it.\t1\nNever again.\t0\n")
        archive.writestr("sentiment labelled sentences/readme.txt", "not data")
    server.files["/uci.zip"] = buffer.getvalue()
    uci = Spec(
        "uci", "t", {"uci.zip": f"{server.url}/uci.zip"}, {"uci.zip": None}, "", "", "uci", outputs={"all": "uci.jsonl"}
    )
    rows = read_jsonl(fetch("uci", tmp_path, {"uci": uci}) / "uci.jsonl")
    assert rows == [
        {"text": "Loved it.", "label": "pos", "source": "yelp"},
        {"text": "Never again.", "label": "neg", "source": "yelp"},
    ]
    reviews = {
        "txt_sentoken/pos/cv000_1.txt": b"great\n",
        "txt_sentoken/neg/cv001_2.txt": b"awful\n",
        "../evil.txt": b"x",
    }
    server.files["/p2.tar.gz"] = tar_gz(reviews)
    expected = hashlib.sha256(b"neg/cv001_2\nawful\n\0pos/cv000_1\ngreat\n\0").hexdigest()
    p2 = Spec(
        "polarity2",
        "t",
        {"p2.tar.gz": f"{server.url}/p2.tar.gz"},
        {"p2.tar.gz": None},
        "",
        "",
        "polarity2",
        content_sha256=expected,
        outputs={"all": "."},
    )
    folder = fetch("polarity2", tmp_path, {"polarity2": p2})
    assert content_digest(folder) == expected and (folder / "pos" / "cv000_1.txt").read_bytes() == b"great\n"
    assert not (tmp_path / "evil.txt").exists()


def test_datasets_unknown_name_and_split(tmp_path):
    with pytest.raises(DataError, match="unknown dataset 'mnist'"):
        dataset_path("mnist", tmp_path)
    with pytest.raises(DataError, match="has no split 'valid'"):
        dataset_path("sst2/valid", tmp_path)


def test_datasets_progress_is_reported(server, tmp_path):
    seen = []

    def progress(total, label):
        seen.append((total, label))
        return lambda n: seen.append(n)

    fetch("mr", tmp_path, mr_spec(server, archive_sha=sha(MR_ARCHIVE)), progress=progress)
    assert seen[0] == (len(MR_ARCHIVE), "mr.tar.gz") and sum(seen[1:]) == len(MR_ARCHIVE)


def test_datasets_never_delete_a_folder_they_did_not_make(server, tmp_path):
    notes = tmp_path / "mr" / "my-notes.txt"
    notes.parent.mkdir()
    notes.write_text("mine")
    n_requests = len(server.requests)
    with pytest.raises(DataError, match=r"was not made by sentclf .* move or delete it yourself"):
        fetch("mr", tmp_path, mr_spec(server, archive_sha=sha(MR_ARCHIVE)))
    assert notes.read_text() == "mine" and len(server.requests) == n_requests  # untouched, nothing downloaded


def test_datasets_review_checksum_is_checked_before_anything_is_written(server, tmp_path, monkeypatch):
    server.files["/p2.tar.gz"] = tar_gz({"txt_sentoken/pos/cv000_1.txt": b"tampered\n"})
    spec = Spec(
        "polarity2", "t", {"p2.tar.gz": f"{server.url}/p2.tar.gz"}, {"p2.tar.gz": None}, "", "", "polarity2",
        content_sha256="0" * 64, outputs={"all": "."},
    )  # fmt: skip
    written = []
    real = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: written.append(self) or real(self, data))
    with pytest.raises(DataError, match="do not match their recorded sha256"):
        fetch("polarity2", tmp_path, {"polarity2": spec})
    assert not [p for p in written if p.suffix == ".txt"] and not (tmp_path / "polarity2").exists()


def test_datasets_a_killed_conversion_is_cleaned_up_by_the_next(server, tmp_path):
    """kill -9 during `data get` leaves only sentclf's own .NAME.* folder, removed once an hour old."""
    import os
    import time

    stale, live = tmp_path / ".mr.killed1", tmp_path / ".mr.running2"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "mr.jsonl").write_text("half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fetch("mr", tmp_path, mr_spec(server, archive_sha=sha(MR_ARCHIVE)))
    assert not stale.exists() and live.exists() and (tmp_path / "mr" / "sentclf-dataset.json").exists()


def test_datasets_an_unreachable_host_says_nothing_was_downloaded(tmp_path):
    """Offline (or the host is down): no 'interrupted ... resume' when no byte ever arrived."""
    import socket

    with socket.socket() as probe:  # a port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mr.tar.gz"
    spec = Spec("mr", "test MR", {"mr.tar.gz": url}, {}, "1 KB", "test", "mr", outputs={"all": "mr.jsonl"})
    with pytest.raises(DataError, match=rf"cannot reach 127\.0\.0\.1:{port} .*nothing was downloaded") as caught:
        fetch("mr", tmp_path, {"mr": spec})
    assert "resume" not in str(caught.value) and not list((tmp_path / "downloads").glob("*.part"))
