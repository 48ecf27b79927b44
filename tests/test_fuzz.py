"""Property-based tests (hypothesis): any bytes given to a reader give parsed rows or one typed sentclf
error, features of any unicode are six finite numbers, and a mutated model or LM file gives
ModelFileError and never another exception. The default runs are short; SENTCLF_FUZZ_EXAMPLES
raises them (the slow fuzz run in SECURITY.md uses 2,000)."""

import contextlib
import gzip
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentclf.classify import modelfile
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.features.six import feature_matrix
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.models.spec import ModelConfig
from sentclf.classify.vectors.files import read_vectors
from sentclf.data.readers import read_examples
from sentclf.errors import ModelFileError, SentclfError
from sentclf.lm import lmfile
from sentclf.lm.ngram import KneserNey
from sentclf.text import tokenize

EXAMPLES = int(os.environ.get("SENTCLF_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SUFFIXES = [".csv", ".tsv", ".jsonl", ".ft", ".txt", ".csv.gz", ".jsonl.gz"]
# bytes that look like the formats: separators, quotes, braces, labels, bad UTF-8, BOMs
PIECES = [
    b",",
    b"\t",
    b"\n",
    b'"',
    b"{",
    b"}",
    b":",
    b"text",
    b"label",
    b"__label__pos ",
    b"pos",
    b"\xff",
    b"\xef\xbb\xbf",
]
LIKELY_BYTES = st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=8)), max_size=40).map(b"".join)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), LIKELY_BYTES), suffix=st.sampled_from(SUFFIXES))
def test_fuzz_dataset_readers_give_rows_or_one_typed_error(tmp_path, data, suffix):
    path = tmp_path / f"d{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    try:
        dataset = read_examples(str(path))
    except SentclfError:
        return
    assert len(dataset.texts) == len(dataset.labels) and all(isinstance(t, str) for t in dataset.texts)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), LIKELY_BYTES.map(lambda b: b"3 2\nword 0.1 0.2\n" + b)))
def test_fuzz_vector_files_give_a_table_or_one_typed_error(tmp_path, data):
    path = tmp_path / "v.txt"
    path.write_bytes(data)
    try:
        table = read_vectors(path)
    except SentclfError:
        return
    assert table.matrix.shape[0] == len(table.words) and np.isfinite(table.matrix).all()


@FUZZ
@given(text=st.text(max_size=200))
def test_fuzz_features_of_any_unicode_are_six_finite_numbers(text):
    row = feature_matrix([tokenize(text)], load_lexicon())
    assert row.shape == (1, 6) and np.isfinite(row).all()


@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    """A real model file and a real LM file to mutate."""
    folder = tmp_path_factory.mktemp("files")
    docs = [["good", "fun"], ["bad", "dull"], ["great"], ["awful"]] * 3
    labels = ["pos", "neg", "pos", "neg"] * 3
    pipeline = build_pipeline("lr", load_lexicon(), ModelConfig(), features="six").fit(docs, labels)
    model = modelfile.save(folder / "m.sentclf", {"lr": pipeline}, {"labels": ["neg", "pos"], "best_model": "lr"})
    from sentclf.data.source import TextSource
    from sentclf.lm.config import LMConfig
    from sentclf.lm.training import LMTrainConfig, train_lm

    text = folder / "t.txt"
    text.write_text("the cat sat on the mat . the dog sat on the rug .\n" * 30)
    config = LMTrainConfig(
        source=TextSource((str(text),)), output=str(folder / "t.lm"), model=LMConfig(epochs=1, min_count=1)
    )
    train_lm(config)
    return {"model": model, "lm": folder / "t.lm"}  # paths: hypothesis prints the fixture on failure


def mutate(data: bytes, edits: list) -> bytes:
    buffer = bytearray(data)
    for position, value in edits:
        buffer[position % len(buffer)] = value
    return bytes(buffer)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8))
def test_fuzz_mutated_model_and_lm_files_give_model_file_errors(tmp_path, small_files, edits):
    for kind, load in (("model", modelfile.load), ("lm", lmfile.load)):
        path = tmp_path / f"x.{kind}"
        path.write_bytes(mutate(small_files[kind].read_bytes(), edits))
        with contextlib.suppress(ModelFileError):  # any other exception fails the test
            loaded = load(path)
            if kind == "lm":  # the training text too: streamed out, checked, then used by the baseline
                train = lmfile.training_text(path, loaded, tmp_path)
                if train is not None:
                    KneserNey(train, len(loaded.vocab), loaded.config.ngram_order)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_any_payload_with_a_valid_container_is_refused_cleanly(tmp_path, data):
    """The attacker controls the whole file: a zip with good metadata and any payload bytes."""
    from sentclf import archive

    path = tmp_path / "p.sentclf"
    path.unlink(missing_ok=True)
    archive.write_archive(path, archive.MODEL_FORMAT, {"labels": ["a"]}, modelfile.PAYLOAD_MEMBER, data)
    with pytest.raises(ModelFileError):
        modelfile.load(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["metadata.json", modelfile.PAYLOAD_MEMBER]


@FUZZ
@given(
    files=st.fixed_dictionaries(
        {name: st.one_of(st.binary(max_size=200), LIKELY_BYTES) for name in ("positive.txt", "negative.txt")}
    )
)
def test_fuzz_lexicon_folders_give_a_lexicon_or_one_typed_error(tmp_path, files):
    folder = tmp_path / "lexicon"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    try:
        lexicon = load_lexicon("builtin", folder)
    except SentclfError:
        return
    assert all(isinstance(word, str) for word in lexicon.positive)
