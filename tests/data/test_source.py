"""Data sources: which paths are datasets, and DATA arguments naming registry entries."""

import pytest

from sentclf.data.source import DataConfig, TextSource, is_dataset
from sentclf.errors import DataError


def test_dataset_paths_are_told_from_plain_text(tmp_path):
    assert is_dataset("reviews.csv") and is_dataset("data:mr") and is_dataset("x.jsonl.gz")
    assert not is_dataset("reviews.txt") and not is_dataset("-")
    assert is_dataset(str(tmp_path))


def test_text_source_reads_lines_and_datasets(tmp_path, fixtures):
    plain = tmp_path / "a.txt"
    plain.write_text("one line\nanother line\n")
    texts = TextSource((str(plain), str(fixtures / "tiny.csv"))).texts()
    assert texts[:2] == ["one line", "another line"] and len(texts) == 2 + 24
    assert TextSource((str(plain),)).describe() == str(plain) and TextSource().describe() == "the default corpus"


def test_data_config_reads_a_file(fixtures):
    dataset = DataConfig(str(fixtures / "tiny.jsonl")).load()
    assert len(dataset) == 24 and dataset.format == "jsonl"


def test_text_source_hands_out_plain_lines_lazily(tmp_path):
    plain = tmp_path / "big.txt"
    plain.write_bytes(b"first line\nsecond line\n\xff broken line\n")
    texts = TextSource((str(plain),)).iter_texts()
    assert next(texts) == "first line" and next(texts) == "second line"  # read before the bad line is reached
    with pytest.raises(DataError, match="line 3"):
        next(texts)
