import pyarrow as pa
import pyarrow.parquet as pq

from sentclf.data.tables import PARQUET_BATCH, Columns, iter_table


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
