import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentclf.data.tables import PARQUET_BATCH, Columns, iter_table, resolve_columns
from sentclf.errors import DataError


def test_tables_parquet_reads_one_row_group_at_a_time(tmp_path):
    path = tmp_path / "rows.parquet"
    rows = 16 * PARQUET_BATCH
    table = pa.table({"id": list(range(rows)), "text": [f"review {i} " + "word " * 10 for i in range(rows)]})
    pq.write_table(table, path, row_group_size=PARQUET_BATCH, compression="none")
    size = table.nbytes
    del table
    before = pa.total_allocated_bytes()
    documents = iter_table(str(path), "parquet", Columns())
    first = next(documents)
    held = pa.total_allocated_bytes() - before
    assert first.text.startswith("review 0 ") and first.fields == {"id": 0}
    # 16 row groups: reading ahead holds all of them after the first row, one at a time holds 1/16
    assert held < size / 4, (held, size)
    assert sum(1 for _ in documents) == rows - 1


@pytest.mark.parametrize("name", ["t.csv.gz", "t.tsv.gz", "t.jsonl.gz"])
def test_tables_a_truncated_gzip_table_is_one_data_error_when_read_or_when_its_columns_are_resolved(tmp_path, name):
    fmt = name.split(".")[1]
    header = {"csv": "text,id\n", "tsv": "text\tid\n", "jsonl": ""}[fmt]
    row = {"csv": "great fun,1\n", "tsv": "great fun\t1\n", "jsonl": '{"text": "great fun", "id": 1}\n'}[fmt]
    whole = gzip.compress((header + row * 2000).encode())
    path = tmp_path / name
    path.write_bytes(whole[:60])  # the first lines arrive, the rest does not
    with pytest.raises(DataError, match=rf"{name}: not a readable gzip file, or it is truncated"):
        list(iter_table(str(path), fmt, Columns()))
    path.write_bytes(whole[:14])  # not even the first line: resolving the columns meets the end
    with pytest.raises(DataError, match=rf"{name}: not a readable gzip file, or it is truncated"):
        resolve_columns(str(path), fmt, Columns())
