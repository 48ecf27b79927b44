import os
import subprocess
import sys

import nltk
import pytest

from sentclf.classify.features.lexicons import HULIU_INSTALL, builtin_dir, load_lexicon, parse_word_list, read_word_list
from sentclf.errors import LexiconError


@pytest.fixture
def nltk_fixture(tmp_path) -> str:
    """A tiny stand-in for Hu & Liu's lexicon in NLTK's data layout (file names as NLTK's reader wants
    them), written here rather than tracked, with a Latin-1 byte as in the real negative list."""
    folder = tmp_path / "nltk_data" / "corpora" / "opinion_lexicon"
    folder.mkdir(parents=True)
    (folder / "positive-words.txt").write_bytes(
        b";;;;;;;;\n; tiny stand-in written for sentclf's tests\n\nbrilliant\nsuperb\n"
    )
    (folder / "negative-words.txt").write_bytes(b";;;;;;;;\n; tiny stand-in\n\ndreadful\nna\xefve\n")
    return str(tmp_path / "nltk_data")


def test_lexicons_builtin_lists_load_and_are_sizable():
    lexicon = load_lexicon()
    assert lexicon.source == "builtin"
    assert len(lexicon.positive) > 2000 and len(lexicon.negative) > 3000
    assert {"great", "love", ":)"} <= lexicon.positive
    assert {"awful", "hate", ":("} <= lexicon.negative
    assert {"i", "me", "you", "we"} <= lexicon.pronouns
    assert "no" not in lexicon.negative  # x3 is its own feature
    assert (builtin_dir() / "NOTICE").is_file()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("; header\n;;;;\n\ngood\n", {"good"}),
        ("# comment\nGreat\n  nice  \n#\n", {"great", "nice"}),
        (";)\n;-)\n#-)\n; a comment\n", {";)", ";-)", "#-)"}),
    ],
)
def test_lexicons_comment_rule_keeps_emoticons(text, expected):
    assert parse_word_list(text) == expected


def test_lexicons_latin1_file_loads(tmp_path):
    path = tmp_path / "negative.txt"
    path.write_bytes(b"; Hu & Liu style\nna\xefve\nbad\n")
    assert read_word_list(path) == {"naïve", "bad"}


def test_lexicons_missing_and_empty_files_are_errors(tmp_path):
    with pytest.raises(LexiconError, match="not found"):
        read_word_list(tmp_path / "nope.txt")
    (tmp_path / "positive.txt").write_text("# only a comment\n\n")
    with pytest.raises(LexiconError, match=r"positive.txt: lexicon file is empty"):
        load_lexicon(lexicon_dir=tmp_path)


def test_lexicons_dir_replaces_only_the_files_present(fixtures, tmp_path):
    (tmp_path / "positive.txt").write_text("splendid\n")
    lexicon = load_lexicon(lexicon_dir=tmp_path)
    assert lexicon.positive == {"splendid"}
    assert lexicon.negative == load_lexicon().negative
    assert lexicon.source.startswith("builtin+dir:")
    assert lexicon.sha256() != load_lexicon().sha256()


def test_lexicons_dir_accepts_hu_liu_file_names(tmp_path):
    (tmp_path / "positive-words.txt").write_text(";;;\n; header\n\nsplendid\n")
    (tmp_path / "negative-words.txt").write_bytes(b";;;\n\nna\xefve\n")
    lexicon = load_lexicon(lexicon_dir=tmp_path)
    assert lexicon.positive == {"splendid"} and lexicon.negative == {"naïve"}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "lexicon folder not found"),
        (lambda p: p, "holds none of positive.txt"),
    ],
)
def test_lexicons_bad_dir_is_an_error(tmp_path, make, message):
    with pytest.raises(LexiconError, match=message):
        load_lexicon(lexicon_dir=make(tmp_path))


def test_lexicons_unknown_name_is_an_error():
    with pytest.raises(LexiconError, match="unknown lexicon 'vader2'"):
        load_lexicon("vader2")


def test_lexicons_huliu_through_nltk_reader(monkeypatch, nltk_fixture):
    monkeypatch.setattr(nltk.data, "path", [nltk_fixture])
    lexicon = load_lexicon("huliu")
    assert lexicon.positive == {"brilliant", "superb"}
    assert "dreadful" in lexicon.negative and len(lexicon.negative) == 2
    assert lexicon.pronouns == load_lexicon().pronouns


def test_lexicons_huliu_missing_says_the_download_command(monkeypatch, tmp_path):
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(LexiconError) as excinfo:
        load_lexicon("huliu")
    assert HULIU_INSTALL in str(excinfo.value)
    assert HULIU_INSTALL == "python -m nltk.downloader opinion_lexicon"


def test_lexicons_huliu_found_through_nltk_data_variable(nltk_fixture):
    code = "from sentclf.classify.features.lexicons import load_lexicon; print(sorted(load_lexicon('huliu').positive))"
    env = {**os.environ, "NLTK_DATA": nltk_fixture}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['brilliant', 'superb']"
