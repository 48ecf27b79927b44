import gzip
import io

import pytest

from sentclf.data.documents import iter_documents
from sentclf.data.readers import detect_format, read_examples
from sentclf.errors import DataError


@pytest.mark.parametrize(
    "name, fmt", [("tiny.csv", "csv"), ("tiny.tsv", "tsv"), ("tiny.jsonl", "jsonl"), ("tiny.ft", "fasttext")]
)
def test_data_every_format_reads_the_same_examples(fixtures, name, fmt):
    dataset = read_examples(str(fixtures / name))
    assert dataset.format == fmt
    assert len(dataset) == 24
    assert dataset.labels.count("pos") == 12 and dataset.labels.count("neg") == 12
    assert dataset.texts[0] == "I loved this film, the acting was great!"
    assert len(dataset.sha256) == 64


@pytest.mark.parametrize(
    "first_line, fmt",
    [
        ('{"text": "a", "label": "b"}', "jsonl"),
        ("__label__pos nice", "fasttext"),
        ("text\tlabel", "tsv"),
        ("text,label", "csv"),
    ],
)
def test_data_format_detected_from_content(first_line, fmt):
    assert detect_format("data.txt", first_line + "\n") == fmt


def test_data_folder_layout(tmp_path):
    for label, docs in {"pos": ["Great!", "Loved it."], "neg": ["Awful."]}.items():
        (tmp_path / label).mkdir()
        for i, doc in enumerate(docs):
            (tmp_path / label / f"{i}.txt").write_text(doc)
    dataset = read_examples(str(tmp_path))
    assert dataset.format == "dir"
    assert sorted(zip(dataset.labels, dataset.texts)) == [("neg", "Awful."), ("pos", "Great!"), ("pos", "Loved it.")]


def test_data_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"__label__a x y\n__label__b z\n")))
    dataset = read_examples("-")
    assert dataset.labels == ["a", "b"] and dataset.texts == ["x y", "z"] and dataset.source == "<stdin>"


def test_data_gzip_and_explicit_columns(tmp_path):
    path = tmp_path / "d.csv.gz"
    path.write_bytes(gzip.compress(b"id,body,stars\n1,good,5\n2,bad,1\n"))
    dataset = read_examples(str(path), label_col="stars")
    assert dataset.texts == ["good", "bad"] and dataset.labels == ["5", "1"]


def test_data_numeric_json_labels_become_strings(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "good", "label": 1}\n{"text": "bad", "label": 0}\n')
    assert read_examples(str(path)).labels == ["1", "0"]


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("d.csv", b"text,label\ngood,pos\nbad,\n", "line 3: no label in column 'label'"),
        ("d.csv", b"text,label\ngood,pos\n\xff\xfe,neg\n", "line 3: bytes that are not valid utf-8: pass --encoding"),
        ("d.csv", b"", "is empty"),
        ("d.csv", b"   \n\n", "is empty"),
        ("d.csv", b"words,stars\ngood,5\n", "cannot tell which column holds the text"),
        ("d.jsonl", b'{"text": "a", "label": "x"}\n{"text": "b"\n', "line 2: not valid JSON"),
        ("d.jsonl", b'{"text": "a", "label": "x"}\n{"label": "y"}\n', "line 2: no text in key 'text'"),
        ("d.ft", b"__label__a fine\njust text\n", "line 2: no __label__LABEL"),
        ("d.csv", b"text,label\x00\x01\x02", "binary file"),
    ],
)
def test_data_bad_input_names_file_and_line(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(DataError, match=message) as excinfo:
        read_examples(path)
    assert str(excinfo.value).startswith(path)


def test_data_unknown_column_lists_the_columns(fixtures):
    with pytest.raises(DataError, match="no column 'review' \\(columns: text, label\\)"):
        read_examples(str(fixtures / "tiny.csv"), text_col="review")


def test_data_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_examples(str(tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="unknown format 'xml'"):
        read_examples(str(tmp_path / "nope.csv"), fmt="xml")


def test_data_skip_bad_counts_rows(tmp_path):
    path = write(tmp_path, "d.csv", b"text,label\ngood,pos\nbad,\nfine,pos\nugly\n")
    dataset = read_examples(path, skip_bad=True)
    assert dataset.texts == ["good", "fine"] and dataset.n_bad == 2


def test_data_encoding_option(tmp_path):
    path = write(tmp_path, "d.csv", "text,label\nna\u00efve,neg\nok,pos\n".encode("latin-1"))
    assert read_examples(path, encoding="latin-1").texts[0] == "naïve"


def test_data_blank_text_is_kept_as_an_empty_document(tmp_path):
    path = write(tmp_path, "d.csv", b'text,label\n"  ",pos\ngood,pos\n')
    assert read_examples(path).texts == ["  ", "good"]


def test_data_iter_documents_lines_and_whole_files(tmp_path):
    path = write(tmp_path, "a.txt", b"one\r\ntwo \x85 still two\n\nfour")
    docs = list(iter_documents([path], encoding="latin-1"))
    assert [(d.line, d.text) for d in docs] == [(1, "one"), (2, "two \x85 still two"), (3, ""), (4, "four")]
    whole = list(iter_documents([path, path], whole_file=True, encoding="latin-1"))
    assert len(whole) == 2 and whole[0].text.startswith("one")


def test_data_iter_documents_is_lazy_and_names_bad_lines(tmp_path):
    path = write(tmp_path, "a.txt", b"fine\nalso fine\n\xff bad\n")
    stream = iter_documents([path])
    assert next(stream).text == "fine"  # nothing past the first line is decoded yet
    next(stream)
    with pytest.raises(DataError, match=r"a.txt line 3: bytes that are not valid utf-8"):
        next(stream)


def test_data_iter_documents_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        list(iter_documents([str(tmp_path / "none.txt")]))
