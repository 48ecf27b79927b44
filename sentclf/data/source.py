"""Where text comes from, as one config object each: a labelled dataset (:class:`DataConfig`: a file,
a folder, stdin, ``data:NAME`` from the registry, or the default corpus) and plain text for the
language model (:class:`TextSource`: lines of files, the text column of tables, or datasets whose
labels are ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sentclf.data.catalogue import DATASET_PREFIX
from sentclf.data.readers import EXTENSIONS, FORMATS, Dataset, check_encoding
from sentclf.errors import DataError

LINES = "lines"  # TextSource format: plain text, one document per line
TABLE_READERS = ("csv", "tsv", "jsonl", "parquet")  # formats whose text column is read without labels


def resolve(path: str) -> str:
    """A DATA argument as a path: ``data:NAME[/SPLIT]`` becomes the cached dataset (fetched if needed)."""
    if path.startswith(DATASET_PREFIX):
        from sentclf.data.fetch import dataset_path

        return str(dataset_path(path[len(DATASET_PREFIX) :]))
    return path


def is_dataset(path: str) -> bool:
    """A labelled dataset (read with train's readers) rather than plain text, one document per line."""
    if path.startswith(DATASET_PREFIX):
        return True
    return Path(path.removesuffix(".gz")).suffix.lower() in EXTENSIONS or Path(path).is_dir()


@dataclass(frozen=True)
class DataConfig:
    """Where labelled data comes from and how to read it (``path=None``: the default corpus)."""

    path: str | None = None
    fmt: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    encoding: str = "utf-8"
    skip_bad: bool = False

    def validate(self) -> None:
        if self.fmt is not None and self.fmt not in FORMATS:
            raise DataError(f"unknown format '{self.fmt}': choose one of {', '.join(FORMATS)}")
        check_encoding(self.encoding)
        if self.path is not None and self.path.startswith(DATASET_PREFIX):
            from sentclf.data.catalogue import spec_for

            spec_for(self.path[len(DATASET_PREFIX) :].partition("/")[0])  # an unknown name fails before any work

    def is_default_corpus(self) -> bool:
        return self.path is None

    def load(self) -> Dataset:
        """The default corpus, a standard dataset ('data:mr', 'data:sst2/test'), or a file/folder/stdin."""
        self.validate()
        if self.path is None:
            from sentclf.data.corpus import load_default_corpus

            return load_default_corpus()
        from sentclf.data.readers import read_examples

        return read_examples(resolve(self.path), self.fmt, self.text_col, self.label_col, self.encoding, self.skip_bad)


@dataclass(frozen=True)
class TextSource:
    """Text without labels: plain files (one document per line), tables (their text column; labels,
    if any, are not read), labelled datasets (labels ignored), or nothing (the default corpus)."""

    paths: tuple = ()
    fmt: str | None = None  # 'lines' forces plain text; a dataset format forces that reader
    text_col: str | None = None
    encoding: str = "utf-8"

    def validate(self) -> None:
        if self.fmt is not None and self.fmt not in TEXT_FORMATS:
            raise DataError(f"unknown format '{self.fmt}': choose one of {', '.join(TEXT_FORMATS)}")
        check_encoding(self.encoding)

    def iter_texts(self):
        """The documents one at a time: plain-text lines and table rows are read lazily (memory stays
        flat on huge files); a folder, a fastText file or a dataset from the registry is read by
        train's readers, then handed out."""
        self.validate()
        if not self.paths:
            yield from DataConfig().load().texts  # the default corpus
            return
        from sentclf.data.documents import iter_documents
        from sentclf.data.tables import Columns, iter_table, table_format

        for path in self.paths:
            fmt = self.fmt if self.fmt else (None if path == "-" else table_format(resolve(path)))
            if fmt in TABLE_READERS:
                yield from (
                    doc.text for doc in iter_table(resolve(path), fmt, Columns(text=self.text_col), self.encoding)
                )
            elif fmt != LINES and (fmt or is_dataset(path)):  # folders, fastText files, data:NAME
                yield from DataConfig(path, fmt, self.text_col, None, self.encoding).load().texts
            else:
                yield from (doc.text for doc in iter_documents([path], encoding=self.encoding))

    def texts(self) -> list:
        return list(self.iter_texts())

    def describe(self) -> str:
        return ", ".join(self.paths) if self.paths else "the default corpus"


TEXT_FORMATS = (LINES, *FORMATS)
