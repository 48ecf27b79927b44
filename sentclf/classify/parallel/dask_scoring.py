"""Scoring on a Dask cluster: the machinery behind ``predict`` and ``features`` with ``--scheduler``
(which cluster: :mod:`.cluster`). The verbs bring the work of one partition; this module brings the
rest:

- The input is read through dask.dataframe (``read_csv``, ``read_json``, ``read_parquet``, or lines of
  text through dask.bag), in blocks of :data:`BLOCKSIZE`, so every worker reads its own share.
- Each partition goes through the verb's partition function with ``map_partitions``: the same
  scoring code as in one process, so the rows are equal, row for row.
- A model file is checked and loaded by the verb first. Its bytes then go to each worker once, in a
  worker plugin, and each worker loads it once, through the same allowlist. It is never pickled
  into the tasks (see dask-ml issue #842).
- The output is a Parquet dataset, a folder of one ``part.NNNNN.parquet`` per partition, written
  under a temporary name beside ``-o`` and renamed at the end, so a failure leaves nothing
  half-written at ``-o``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from sentclf import atomic
from sentclf import progress as steps
from sentclf.classify.parallel.cluster import connecting
from sentclf.errors import ConfigError, DataError, SchedulerError, SentclfError

try:
    from distributed import WorkerPlugin
except ImportError:  # without the dask extra: --scheduler then says how to install it
    WorkerPlugin = object  # type: ignore[misc,assignment]

BLOCKSIZE = "32MB"  # bytes of input per partition (uncompressed CSV/JSONL)
PLUGIN = "sentclf-model"
log = logging.getLogger("sentclf")


class ModelPlugin(WorkerPlugin):
    """Holds a model file's bytes; each worker loads them once, when the plugin is registered."""

    name = PLUGIN

    def __init__(self, payload: bytes, trusted: bool):
        self.payload, self.trusted, self.model = payload, trusted, None

    def setup(self, worker):
        self.model = load_model_bytes(self.payload, self.trusted)


def load_model_bytes(payload: bytes, trusted: bool):
    """A model file's bytes, loaded (and checked) like a file."""
    from sentclf.classify import modelfile

    with tempfile.TemporaryDirectory(prefix="sentclf-worker-") as folder:
        path = Path(folder) / "model.sentclf"
        path.write_bytes(payload)
        return modelfile.load(path, trusted)


def worker_model():
    """The model this worker's plugin loaded."""
    from distributed import get_worker

    plugin = get_worker().plugins[PLUGIN]
    return plugin.model  # type: ignore[attr-defined]


def read_frame(inputs, blocksize=BLOCKSIZE) -> tuple:
    """(dask DataFrame with the wanted columns, the text column, the carried columns) of the input files."""
    import dask.bag as db
    import dask.dataframe as dd

    from sentclf.data.tables import resolve_columns

    files = inputs.files
    if any(f == "-" for f in files):
        raise ConfigError("--scheduler reads files the workers can reach, not stdin")
    for path in files:
        if not Path(path).is_file() and "://" not in path:
            raise DataError(f"{path}: file not found")
    formats = {inputs.table_format(path) for path in files}
    if len(formats) != 1:
        raise ConfigError("--scheduler takes files of one format at a time")
    fmt = formats.pop()
    paths = list(files)
    compressed = any(path.endswith(".gz") for path in paths)
    if fmt is None:  # plain text: one document per line
        # a compressed file cannot be split into blocks: one partition per file
        bag = db.read_text(paths, blocksize=None if compressed else blocksize, encoding=inputs.encoding)
        frame = bag.map(lambda line: {"text": line.rstrip("\r\n")}).to_dataframe(meta={"text": object})
        return frame, "text", []
    text, id_col, keep, delimiter = resolve_columns(paths[0], fmt, inputs.columns, inputs.encoding)
    fields = carried(id_col, keep)
    wanted = list(dict.fromkeys([text, *fields]))
    try:
        if fmt == "parquet":
            # row groups joined into partitions of about ``blocksize``: dask's default (256 MiB) puts a
            # million short rows in one partition, which keeps one worker busy and the others idle
            frame = dd.read_parquet(paths, columns=wanted, blocksize=blocksize)
        elif fmt == "jsonl":
            frame = dd.read_json(
                paths, lines=True, blocksize=None if compressed else blocksize, encoding=inputs.encoding, dtype=False
            )[wanted]
        else:
            frame = dd.read_csv(
                paths,
                sep=delimiter,
                blocksize=None if compressed else blocksize,
                dtype=str,
                keep_default_na=False,
                usecols=wanted,
                encoding=inputs.encoding,
            )[wanted]
    except (OSError, ValueError) as exc:
        raise DataError(f"{paths[0]}: cannot read it ({exc})") from None
    return frame, text, fields


def carried(id_col, keep) -> list:
    """The columns carried to the output: the id (if any), then the kept ones, each once."""
    return list(dict.fromkeys([*([id_col] if id_col else []), *keep]))


def partition_documents(frame, text: str, fields: tuple | list = ()) -> list:
    """A partition's rows as Documents, as the in-process readers make them (numbered from 1)."""
    from sentclf.data.documents import Document

    texts = [_text(value) for value in frame[text].tolist()]
    columns = {name: plain_column(frame[name]) for name in fields}
    return [
        Document("", i, value, {name: column[i - 1] for name, column in columns.items()})
        for i, value in enumerate(texts, start=1)
    ]


def _text(value) -> str:
    if not isinstance(value, str):
        raise DataError(f"a row has no text (found {type(value).__name__} {value!r}): check --text-col")
    return value


def plain_column(series) -> list:
    """A pandas column as the Python values the in-process readers give."""
    return [value.item() if hasattr(value, "item") else value for value in series.tolist()]


def check_dataset_output(output, force: bool, inputs=()) -> None:
    """Before any work: -o (a .parquet path, as ``OutputConfig.validate`` checked) is none of the
    inputs, and is new or --force."""
    output = Path(output)
    atomic.refuse_inputs(output, inputs)
    if output.exists() and not force:
        raise atomic.already_exists(output)


def dtype(name: str) -> str:
    """The pandas dtype of an output column, for the dataset's schema before any partition is scored."""
    if name.startswith("p_") or name == "x6":
        return "float64"
    if name in ("x1", "x2", "x3", "x4", "x5", "n_tokens", "line"):
        return "int64"
    return "bool" if name == "empty" else "object"


def run_on_cluster(output, inputs, partition, column_names, prepare, trusted: bool = False) -> dict:
    """Connect (a local cluster starts while this process reads the input's metadata and runs
    ``prepare()``, which returns (a loaded model or None, the partition's options)), map
    ``partition(frame, text, fields, options)`` over the input and write the Parquet dataset.
    ``column_names(fields, options)`` gives the dataset's columns."""
    import pandas as pd

    check_dataset_output(output.path, output.force, inputs.files)
    with connecting(output.scheduler) as wait_for_client:
        frame, text, fields = read_frame(inputs)
        model, options = prepare()
        names = column_names(fields, options)
        meta = pd.DataFrame({name: pd.Series(dtype=dtype(name)) for name in names})
        options = {**options, "columns": names}
        client = wait_for_client()
        if model is not None:
            client.register_plugin(ModelPlugin(Path(model.path).read_bytes(), trusted), name=PLUGIN)
        scored = frame.map_partitions(partition, text, fields, options, meta=meta)
        written = write_dataset(client, scored.to_delayed(), output.path)
        written["workers"] = len(client.scheduler_info()["workers"])
    return written


def write_dataset(client, parts: list, output) -> dict:
    """Write each delayed partition to ``output/part.NNNNN.parquet`` on the workers, with a progress
    bar over partitions, in a temporary folder renamed to ``output`` at the end."""
    import dask
    from distributed import as_completed

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
    try:
        tasks = [dask.delayed(write_part)(part, str(tmp / f"part.{i:05d}.parquet")) for i, part in enumerate(parts)]
        steps.start("partitions", len(tasks), f"scoring {len(tasks)} partition(s) on the cluster")
        start, rows = time.perf_counter(), 0
        try:
            for future in as_completed(client.compute(tasks)):
                rows += future.result()
                steps.advance("partitions")
        except SentclfError:
            raise
        except Exception as exc:  # a worker's failure arrives as whatever it raised
            raise SchedulerError(f"the cluster failed while scoring: {type(exc).__name__}: {exc}") from None
        finally:
            steps.finish("partitions")
        seconds = time.perf_counter() - start
        tmp.chmod(0o755)
        if output.exists():
            shutil.rmtree(output) if output.is_dir() else output.unlink()
        os.rename(tmp, output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"path": str(output), "rows": rows, "partitions": len(tasks), "seconds": seconds}


def write_part(frame, path: str) -> int:
    """One partition to one Parquet file; returns its row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return len(frame)
