"""Lexicons: the word lists behind x1 (positive), x2 (negative) and x4 (pronouns).

Three sources, combined in this order:
1. the built-in lists shipped inside the package (``lexicons/`` in the source tree);
2. ``huliu``: Hu & Liu's opinion lexicon read through NLTK's own corpus reader, when installed;
3. ``--lexicon-dir DIR``: any of positive.txt, negative.txt, pronouns.txt found in DIR replaces
   the list of the same name (positive-words.txt / negative-words.txt, Hu & Liu's names, work too).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sentclf.errors import ConfigError, LexiconError
from sentclf.text import normalize_entry

LEXICON_NAMES = ("builtin", "huliu")
LIST_NAMES = ("positive", "negative", "pronouns")
HULIU_INSTALL = "python -m nltk.downloader opinion_lexicon"
# A comment line starts with '#' or ';' followed by blank, more '#'/';', or the end of the line,
# so the Hu & Liu files load unchanged while emoticons such as ";)" or "#-)" stay entries.
_COMMENT = re.compile(r"^[#;]+(\s|$)")
# Each token's membership packed into one int (positive: bit 0, negative: bit 20, pronoun: bit 40), so
# one C-level sum over a document's tokens counts x1, x2 and x4 at once (see classify.features.six).
PACK_SHIFT = 20


@dataclass(frozen=True)
class Lexicon:
    """Three sets of normalized entries, and where they came from."""

    positive: frozenset
    negative: frozenset
    pronouns: frozenset
    source: str = "builtin"

    def sha256(self) -> str:
        """A digest of the entries themselves (not of the files), stable across file formatting."""
        digest = hashlib.sha256()
        for name in LIST_NAMES:
            digest.update(f"[{name}]\n".encode())
            digest.update("\n".join(sorted(getattr(self, name))).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()

    def sizes(self) -> dict:
        return {name: len(getattr(self, name)) for name in LIST_NAMES}

    @cached_property
    def codes(self) -> dict:
        """{entry: packed membership bits} for every entry of the three lists (computed once)."""
        codes: dict = {}
        for shift, name in zip((0, PACK_SHIFT, 2 * PACK_SHIFT), LIST_NAMES):
            for entry in getattr(self, name):
                codes[entry] = codes.get(entry, 0) + (1 << shift)
        return codes

    def __getstate__(self):  # the codes are rebuilt on first use rather than pickled
        return {name: value for name, value in self.__dict__.items() if name != "codes"}


@dataclass(frozen=True)
class LexiconConfig:
    """Which word lists feed x1, x2 and x4: a base lexicon and an optional folder of replacements."""

    name: str = "builtin"
    directory: str | None = None

    def validate(self) -> None:
        if self.name not in LEXICON_NAMES:
            raise ConfigError(f"unknown lexicon '{self.name}': choose one of {', '.join(LEXICON_NAMES)}")
        if self.directory is not None and not Path(self.directory).is_dir():
            raise LexiconError(missing_folder(Path(self.directory)))

    def load(self) -> Lexicon:
        return load_lexicon(self.name, self.directory)


def builtin_dir() -> Path:
    """The folder of the built-in lists: sentclf/lexicons in the installed package, or lexicons/ in a checkout."""
    package = Path(__file__).resolve().parents[2]
    for candidate in (package / "lexicons", package.parent / "lexicons"):
        if (candidate / "positive.txt").is_file():
            return candidate
    raise LexiconError(f"the built-in lexicons are missing (looked in {package / 'lexicons'}): reinstall sentclf")


def parse_word_list(text: str) -> frozenset:
    """Entries of a word list: one per line, comment lines and blank lines skipped."""
    entries = set()
    for line in text.splitlines():
        entry = line.strip()
        if entry and not _COMMENT.match(entry):
            entries.add(normalize_entry(entry))
    return frozenset(entries)


def read_word_list(path: Path) -> frozenset:
    """Read one list file (UTF-8, or Latin-1 as the Hu & Liu negative list is); it must not be empty."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LexiconError(f"{path}: lexicon file not found") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read lexicon file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    entries = parse_word_list(text)
    if not entries:
        raise LexiconError(f"{path}: lexicon file is empty: put one entry per line ('#' or ';' start comments)")
    return entries


def load_huliu() -> dict:
    """Hu & Liu's positive and negative lists through NLTK's OpinionLexiconCorpusReader."""
    import nltk
    from nltk.corpus.reader import OpinionLexiconCorpusReader

    for resource in ("corpora/opinion_lexicon", "corpora/opinion_lexicon.zip/opinion_lexicon/"):
        try:
            root = nltk.data.find(resource)
            break
        except LookupError:
            continue
    else:
        raise LexiconError(
            f"the Hu & Liu opinion lexicon is not installed: run '{HULIU_INSTALL}' "
            "(or set NLTK_DATA to a folder holding corpora/opinion_lexicon)"
        )
    reader = OpinionLexiconCorpusReader(root, r"(\w+)\-words\.txt", encoding="ISO-8859-2")
    lists = {
        "positive": parse_word_list("\n".join(reader.positive())),
        "negative": parse_word_list("\n".join(reader.negative())),
    }
    for name, entries in lists.items():
        if not entries:
            raise LexiconError(f"the Hu & Liu {name} list in {root} is empty: reinstall it with '{HULIU_INSTALL}'")
    return lists


def load_lexicon(name: str = "builtin", lexicon_dir: str | Path | None = None) -> Lexicon:
    """Build the lexicon: the named base lists, with any file in ``lexicon_dir`` replacing its list."""
    if name not in LEXICON_NAMES:
        raise LexiconError(f"unknown lexicon '{name}': choose one of {', '.join(LEXICON_NAMES)}")
    base = builtin_dir()
    lists = {list_name: read_word_list(base / f"{list_name}.txt") for list_name in LIST_NAMES}
    if name == "huliu":
        lists.update(load_huliu())
    source = name
    if lexicon_dir is not None:
        lists.update(_read_override_dir(Path(lexicon_dir)))
        source = f"{name}+dir:{Path(lexicon_dir).name}"
    return Lexicon(source=source, **lists)


def _list_file(folder: Path, name: str) -> Path | None:
    """``name.txt``, or ``name-words.txt`` as the Hu & Liu distribution names its two files."""
    for candidate in (folder / f"{name}.txt", folder / f"{name}-words.txt"):
        if candidate.exists():
            return candidate
    return None


def missing_folder(folder: Path) -> str:
    return (
        f"{folder}: lexicon folder not found (--lexicon-dir wants a folder holding positive.txt, "
        "negative.txt and/or pronouns.txt)"
    )


def _read_override_dir(folder: Path) -> dict:
    if not folder.is_dir():
        raise LexiconError(missing_folder(folder))
    files = {name: _list_file(folder, name) for name in LIST_NAMES}
    found = {name: read_word_list(path) for name, path in files.items() if path is not None}
    if not found:
        raise LexiconError(f"{folder}: holds none of positive.txt, negative.txt, pronouns.txt")
    return found
