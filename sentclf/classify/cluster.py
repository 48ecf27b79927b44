"""Scoring on a Dask cluster: ``predict`` and ``features`` with ``--scheduler`` (which cluster:
:mod:`sentclf.classify.dask_cluster`).

- The input is read through dask.dataframe (``read_csv``, ``read_json``, ``read_parquet``, or lines of
  text through dask.bag), in blocks of :data:`BLOCKSIZE`, so every worker reads its own share.
- Each partition is scored with ``map_partitions`` by the same code as in-process ``predict``, so the
  rows are equal, row for row.
- The model file is checked and loaded here first. Its bytes then go to each worker once, in a
  worker plugin, and each worker loads it once, through the same allowlist. It is never pickled into
  the tasks (see dask-ml issue #842).
- The output is a Parquet dataset, a folder of one ``part.NNNNN.parquet`` per partition. It is
  written under a temporary name beside ``-o`` and renamed at the end, so a failure leaves nothing
  half-written at ``-o``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from sentclf import archive
from sentclf import progress as steps
from sentclf.classify.dask_cluster import connecting, is_local
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
    """A model file's bytes, loaded (and checked) like a file, for prediction."""
    from sentclf.classify import modelfile
    from sentclf.classify.prediction import read_only_encodings

    with tempfile.TemporaryDirectory(prefix="sentclf-worker-") as folder:
        path = Path(folder) / "model.sentclf"
        path.write_bytes(payload)
        model = modelfile.load(path, trusted)
    for pipeline in model.pipelines.values():
        read_only_encodings(pipeline)
    return model


def worker_model():
    """The model this worker's plugin loaded."""
    from distributed import get_worker

    plugin = get_worker().plugins[PLUGIN]
    return plugin.model  # type: ignore[attr-defined]


def read_frame(files: tuple, columns, encoding: str, blocksize=BLOCKSIZE):
    """(dask DataFrame with the wanted columns, resolved (text, id, keep)) of table or text FILES."""
    import dask.bag as db
    import dask.dataframe as dd

    from sentclf.data.tables import resolve_columns, table_format

    if any(f == "-" for f in files):
        raise ConfigError("--scheduler reads files the workers can reach, not stdin")
    for path in files:
        if not Path(path).is_file() and "://" not in path:
            raise DataError(f"{path}: file not found")
    formats = {table_format(path) for path in files}
    if len(formats) != 1:
        raise ConfigError("--scheduler takes files of one format at a time")
    fmt = formats.pop()
    paths = list(files)
    if fmt is None:  # plain text: one document per line
        bag = db.read_text(paths, blocksize=blocksize, encoding=encoding)
        frame = bag.map(lambda line: {"text": line.rstrip("\r\n")}).to_dataframe(meta={"text": object})
        return frame, ("text", None, ())
    text, id_col, keep = resolve_columns(paths[0], fmt, columns, encoding)
    wanted = list(dict.fromkeys([text, *([id_col] if id_col else []), *keep]))
    compressed = any(path.endswith(".gz") for path in paths)
    try:
        if fmt == "parquet":
            # row groups joined into partitions of about ``blocksize`` (dask's default, 256 MiB, gave one
            # partition for 1.5M rows: one worker busy, the other idle)
            frame = dd.read_parquet(paths, columns=wanted, blocksize=blocksize)
        elif fmt == "jsonl":
            frame = dd.read_json(
                paths, lines=True, blocksize=None if compressed else blocksize, encoding=encoding, dtype=False
            )[wanted]
        else:
            frame = dd.read_csv(
                paths,
                sep="," if fmt == "csv" else "\t",
                blocksize=None if compressed else blocksize,
                dtype=str,
                keep_default_na=False,
                usecols=wanted,
                encoding=encoding,
            )[wanted]
    except (OSError, ValueError) as exc:
        raise DataError(f"{paths[0]}: cannot read it ({exc})") from None
    return frame, (text, id_col, keep)


def score_partition(frame, text: str, id_col, keep: tuple, options: dict):
    """One partition's predictions, as in-process ``predict -o`` writes them (a pandas DataFrame)."""
    import numpy as np
    import pandas as pd

    from sentclf.classify.prediction import scored_batches
    from sentclf.data.documents import Document

    model = worker_model()
    classes = [str(c) for c in model.pipeline(options["use"])[1].classes_]
    fields = carried(id_col, keep)
    texts = [_text(value) for value in frame[text].tolist()]
    docs = (Document("", i, value) for i, value in enumerate(texts, start=1))
    labels, probabilities, empty = [], [], []
    for _, tokens, proba, batch_labels in scored_batches(
        model, docs, options["use"], 1000, options["min_confidence"], options["neutral_band"]
    ):
        labels += batch_labels
        probabilities.append(proba)
        empty += [not toks for toks in tokens]
    proba = np.concatenate(probabilities) if probabilities else np.zeros((0, len(classes)))
    names = options["columns"]  # the carried columns (possibly renamed in_NAME) first, as output_columns gives them
    columns: dict = {name: [_plain(v) for v in frame[field].tolist()] for name, field in zip(names, fields)}
    columns["label"] = labels
    for label in (str(label) for label in model.labels):  # a p_ column per label, as in-process rows have
        columns[f"p_{label}"] = proba[:, classes.index(label)] if label in classes else [None] * len(texts)
    columns.update(empty=empty, text=texts)
    return pd.DataFrame(columns, columns=names)


def features_partition(frame, text: str, id_col, keep: tuple, options: dict):
    """One partition's feature rows, as in-process ``features -o`` writes them."""
    import pandas as pd

    from sentclf.classify.featuredump import feature_rows, flat_row

    docs = _documents(frame, text, id_col, keep)
    rows = (
        flat_row({**row, "fields": row["fields"] or {"": None}}, "parquet")
        for row in feature_rows(docs, options["lexicon"])
    )
    return pd.DataFrame.from_records(
        [{k: v for k, v in r.items() if k != ""} for r in rows], columns=options["columns"]
    )


def carried(id_col, keep) -> list:
    """The columns carried to the output: the id (if any), then the kept ones, each once."""
    return list(dict.fromkeys([*([id_col] if id_col else []), *keep]))


def _documents(frame, text: str, id_col, keep: tuple):
    """A partition's rows as Documents, as the in-process table readers make them."""
    from sentclf.data.documents import Document

    fields = carried(id_col, keep)
    for i, row in enumerate(frame.to_dict("records"), start=1):
        yield Document("", i, _text(row[text]), {c: _plain(row[c]) for c in fields})


def _text(value) -> str:
    if not isinstance(value, str):
        raise DataError(f"a row has no text (found {type(value).__name__} {value!r}): check --text-col")
    return value


def _plain(value):
    """A pandas/numpy scalar as the Python value the in-process readers give."""
    return value.item() if hasattr(value, "item") else value


def check_dataset_output(output, force: bool, inputs=()) -> None:
    """Before any work: -o names a Parquet dataset, is none of the inputs, and is new or --force."""
    output = Path(output)
    if output.suffix.lower() != ".parquet":
        raise ConfigError(f"{output}: with --scheduler, -o names a Parquet dataset (a folder): end it in .parquet")
    archive.refuse_inputs(output, inputs)
    if output.exists() and not force:
        raise archive.already_exists(output)


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


def predict_on_cluster(config, scheduler: str, output, force: bool = False, blocksize=BLOCKSIZE) -> dict:
    """``predict --scheduler``: score ``config.files`` on the cluster, write a Parquet dataset."""
    import pandas as pd

    from sentclf.classify import modelfile
    from sentclf.classify.prediction import check_neutral_band
    from sentclf.classify.prediction_files import output_columns
    from sentclf.data.tables import Columns

    config.validate()
    is_local(scheduler)
    if config.texts:
        raise ConfigError("--scheduler scores files, not --text")
    check_dataset_output(output, force, config.files)
    with connecting(scheduler) as wait_for_client:
        columns = Columns(config.text_col, config.id_col, config.keep_cols)
        frame, (text, id_col, keep) = read_frame(config.files, columns, config.encoding, blocksize)
        model = modelfile.load(config.model_path, config.trusted)  # checked here first, before any worker sees it
        kind, pipeline = model.pipeline(config.use)
        check_neutral_band(config.neutral_band, [str(c) for c in pipeline.classes_])
        fields = carried(id_col, keep)
        names = output_columns(fields, [str(label) for label in model.labels])
        meta = pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in names})
        options = {
            "use": config.use,
            "min_confidence": config.min_confidence,
            "neutral_band": config.neutral_band,
            "columns": names,
        }
        client = wait_for_client()
        client.register_plugin(ModelPlugin(Path(model.path).read_bytes(), config.trusted), name=PLUGIN)
        scored = frame.map_partitions(score_partition, text, id_col, tuple(keep), options, meta=meta)
        written = write_dataset(client, scored.to_delayed(), output)
        written["workers"] = len(client.scheduler_info()["workers"])
    return {**written, "model": kind}


def features_on_cluster(config, scheduler: str, output, force: bool = False, blocksize=BLOCKSIZE) -> dict:
    """``features --scheduler``: x1..x6 of ``config.files`` on the cluster, as a Parquet dataset."""
    import pandas as pd

    from sentclf.classify.featuredump import FLAT_COLUMNS, carried_columns
    from sentclf.data.tables import Columns

    config.validate()
    is_local(scheduler)
    if config.embeddings.source is not None or config.texts:
        raise ConfigError("features --scheduler writes x1..x6 of files: drop --embeddings and --text")
    check_dataset_output(output, force, config.files)
    lexicon = config.lexicon.load()
    columns = Columns(config.text_col, config.id_col, config.keep_cols)
    frame, (text, id_col, keep) = read_frame(config.files, columns, config.encoding, blocksize)
    fields = carried(id_col, keep)  # no file and line: rows keep their order
    names = [*carried_columns(fields), *FLAT_COLUMNS, "text"]
    meta = pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in names})
    options = {"lexicon": lexicon, "columns": names}
    with connecting(scheduler) as wait_for_client:
        client = wait_for_client()
        rows = frame.map_partitions(features_partition, text, id_col, tuple(keep), options, meta=meta)
        written = write_dataset(client, rows.to_delayed(), output)
        written["workers"] = len(client.scheduler_info()["workers"])
    return written


def _dtype(name: str) -> str:
    if name.startswith("p_") or name == "x6":
        return "float64"
    if name in ("x1", "x2", "x3", "x4", "x5", "n_tokens", "line"):
        return "int64"
    return "bool" if name == "empty" else "object"
