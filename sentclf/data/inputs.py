"""What ``predict`` and ``features`` read: lines of text files (or whole files), rows of tables, and
texts given as they are, as one config object (:class:`Inputs`) that yields documents lazily."""

from __future__ import annotations

from dataclasses import dataclass, field

from sentclf.data.documents import Document, iter_documents
from sentclf.data.readers import check_encoding
from sentclf.data.tables import Columns, iter_table, table_format
from sentclf.errors import ConfigError, OptionConflictError


@dataclass(frozen=True)
class Inputs:
    """Documents to score: one per line of each file (or one per file with ``whole_file``), one per
    row of a table file (.csv, .tsv, .jsonl, .parquet, maybe .gz: its text from ``columns``), then
    each of ``texts``. ``-`` is standard input."""

    files: tuple = ()
    texts: tuple = ()
    whole_file: bool = False
    encoding: str = "utf-8"
    skip_bad: bool = False  # leave out lines that are not valid in the encoding, and count them
    columns: Columns = field(default_factory=Columns)

    def tables(self) -> list:
        """The files read as tables (the others are read line by line)."""
        return [path for path in self.files if self.table_format(path) is not None]

    def table_format(self, path: str) -> str | None:
        return None if self.whole_file or path == "-" else table_format(path)

    def validate(self) -> None:
        if not self.files and not self.texts:
            raise ConfigError("give at least one FILE, or - to read standard input")
        check_encoding(self.encoding)
        if self.skip_bad and self.files and len(self.tables()) == len(self.files) and not self.texts:
            raise OptionConflictError(
                "--skip-bad leaves out undecodable lines of text files, and every input is a table: drop "
                "--skip-bad, or pass --encoding"
            )
        given = self.columns.given()
        if given and not self.tables():
            raise OptionConflictError(
                f"{given[0]} names a table column, and no input is a table (.csv, .tsv, .jsonl, .parquet): "
                f"drop {given[0]}, or pass a table"
            )

    def documents(self, skipped: list | None = None):
        """Lines (or whole files) of ``files``, rows of tables, then each of ``texts`` (file "<text>",
        numbered from 1). With a ``skipped`` list, undecodable lines are left out and recorded there."""
        for path in self.files:
            fmt = self.table_format(path)
            if fmt is not None:
                yield from iter_table(path, fmt, self.columns, self.encoding)
            else:
                yield from iter_documents([path], self.whole_file, self.encoding, skipped if self.skip_bad else None)
        for number, text in enumerate(self.texts, start=1):
            yield Document("<text>", number, text)
