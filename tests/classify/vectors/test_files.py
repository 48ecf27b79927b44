import bz2
import gzip
import struct

import numpy as np
import pytest

from sentclf.classify.vectors.files import detect_format, read_vectors
from sentclf.errors import VectorsError

WORDS = ["good", "great", "bad", "awful", "movie", "the"]
ROWS = {
    "good": [1, 0, 0],
    "great": [0.5, 0.5, 0],
    "bad": [-1, 0, 0],
    "awful": [-1, -1, 0],
    "movie": [0, 0, 1],
    "the": [0, 0, 0.5],
}


def write_w2v_binary(path, rows: dict, newline=True):
    with open(path, "wb") as out:
        out.write(f"{len(rows)} 3\n".encode())
        for word, vector in rows.items():
            out.write(word.encode() + b" " + struct.pack("<3f", *vector) + (b"\n" if newline else b""))
    return path


@pytest.fixture(params=["tiny.glove.txt", "tiny.w2v.txt", "tiny.vec", "gz", "bz2", "bin", "bin-no-newline"])
def vector_file(request, fixtures, tmp_path):
    name = request.param
    text = (fixtures / "vectors" / "tiny.w2v.txt").read_bytes()
    if name == "gz":
        (tmp_path / "v.txt.gz").write_bytes(gzip.compress(text))
        return tmp_path / "v.txt.gz"
    if name == "bz2":
        (tmp_path / "v.vec.bz2").write_bytes(bz2.compress(text))
        return tmp_path / "v.vec.bz2"
    if name.startswith("bin"):
        return write_w2v_binary(tmp_path / "v.bin", ROWS, newline=name == "bin")
    return fixtures / "vectors" / name


def test_vectors_every_format_reads_the_same_table(vector_file):
    table = read_vectors(vector_file)
    assert table.words == WORDS and table.dim == 3 and table.n_file_words == 6
    for word, vector in ROWS.items():
        assert table.matrix[table.index[word]].tolist() == pytest.approx(vector)
    assert len(table.sha256) == 64


def test_vectors_format_detection(tmp_path):
    assert detect_format(tmp_path / "a.txt", b"the 0.1 0.2\n") == "glove"
    assert detect_format(tmp_path / "a.vec", b"2 3\nthe 0.1 0.2 0.3\n") == "word2vec"
    assert detect_format(tmp_path / "a.bin", b"2 3\nthe \x00\x00\x80?") == "word2vec-bin"


def test_vectors_keep_only_vocab_and_top_rows(fixtures):
    table = read_vectors(fixtures / "vectors" / "tiny.glove.txt", vocab={"movie", "awful", "unseen"}, keep_top=2)
    assert table.words == ["good", "great", "awful", "movie"]
    assert table.n_file_words == 6


def test_vectors_case_folding_first_spelling_wins(tmp_path):
    path = tmp_path / "cased.txt"
    path.write_text("Good 1 1\ngood 2 2\nMovie 3 3\n")
    table = read_vectors(path, vocab={"good", "movie"})
    assert table.words == ["good", "movie"] and table.matrix.tolist() == [[1, 1], [3, 3]]
    assert table.n_duplicates == 1
    exact = read_vectors(path, fold_case=False)
    assert exact.words == ["Good", "good", "Movie"] and exact.n_duplicates == 0


def test_vectors_sha256_is_of_the_file_bytes(tmp_path, fixtures):
    import hashlib

    data = gzip.compress((fixtures / "vectors" / "tiny.glove.txt").read_bytes())
    (tmp_path / "v.gz").write_bytes(data)
    assert read_vectors(tmp_path / "v.gz").sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"good 1 0 0\nbad 1 0\n", "line 2: 2 values where the file has 3"),
        (b"good 1 0 0\nbad 1 x 0\n", "line 2: values that are not numbers"),
        (b"good 1 0 0\nbad 1 nan 0\n", "line 2: values that are not numbers"),
        (b"3 3\ngood 1 0 0\nbad 1 0 0\n", "header declares 3 words but the file holds 2"),
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"2 0\ngood\nbad\n", "line 1: the header declares a dimension of 0"),
        (b"good\nbad\n", "line 1: a word with no values"),
        (b"2 3\ngood \x00\x00\x80?\x00\x00\x00\x00\x00\x00\x00\x00\n", "line 2"),
    ],
)
def test_vectors_bad_input_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(VectorsError, match=message) as excinfo:
        read_vectors(path, fmt="word2vec" if content.startswith(b"2 3") else None)
    assert str(path) in str(excinfo.value)


def test_vectors_binary_file_read_as_text_is_an_error(tmp_path):
    path = write_w2v_binary(tmp_path / "v.bin", ROWS)
    with pytest.raises(VectorsError, match="binary"):
        read_vectors(path, fmt="word2vec")


def test_vectors_truncated_binary_is_an_error(tmp_path):
    path = write_w2v_binary(tmp_path / "v.bin", ROWS)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(VectorsError, match="truncated"):
        read_vectors(path)


def test_vectors_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(VectorsError, match="vectors file not found"):
        read_vectors(tmp_path / "none.txt")
    with pytest.raises(VectorsError, match="unknown vectors format 'hdf5'"):
        read_vectors(tmp_path / "none.txt", fmt="hdf5")


def test_vectors_corrupt_gzip_is_an_error(tmp_path, fixtures):
    data = gzip.compress((fixtures / "vectors" / "tiny.glove.txt").read_bytes() * 50)
    (tmp_path / "v.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(VectorsError, match=r"corrupt or truncated|cannot decompress"):
        read_vectors(tmp_path / "v.gz")


def test_vectors_table_pickles_without_its_index(fixtures):
    import pickle

    table = read_vectors(fixtures / "vectors" / "tiny.glove.txt")
    assert "index" not in table.__getstate__()
    copy = pickle.loads(pickle.dumps(table))
    assert copy.index == table.index and np.array_equal(copy.matrix, table.matrix)


def test_vectors_untrusted_headers_and_forced_formats(tmp_path):
    """A header asking for 10^12 rows allocates nothing it cannot fill; a text file forced to
    word2vec-bin is named as text instead of giving meaningless floats."""
    big = tmp_path / "big.txt"
    big.write_text("999999999999 3\ngood 0.1 0.2 0.3\n")
    with pytest.raises(VectorsError, match="declares 999999999999 words but the file holds 1"):
        read_vectors(big)
    text = tmp_path / "w2v.txt"
    text.write_text("2 2\ngood 0.1 0.2\nbad -0.1 0.3\n")
    with pytest.raises(VectorsError, match="line 2: the vector's bytes are text"):
        read_vectors(text, "word2vec-bin")
