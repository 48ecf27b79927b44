"""``features``: the feature dump of each document (x1..x6, the tokens behind them, pooled vectors),
sent where the config says, as ``predict`` sends its rows (:mod:`sentclf.classify.rows`); and the
per-class means of x1..x6 over a labelled dataset (``features --labels``)."""

from __future__ import annotations

from dataclasses import dataclass

from sentclf.classify.config import FeatureMeansConfig, FeaturesConfig
from sentclf.classify.features.six import FEATURE_ALIASES, class_means, trace
from sentclf.classify.prediction import tokenized_batches
from sentclf.classify.rows import FeatureTable, feature_columns, feature_row, machine_row, write_file, write_stream
from sentclf.errors import ConfigError

NO_STREAM = (
    "features writes its rows to a stream or to -o: pass a stream (features(config, sys.stdout)), give "
    "OutputConfig(path=...), or iterate sentclf.feature_rows(documents, lexicon)"
)


def feature_rows(documents, lexicon, table=None, pools: tuple = (), batch_size: int = 1000):
    """The feature row of each document: x1..x6, token count, matched tokens, and with a vectors
    ``table`` the pooled vector(s), the tokens without a vector and a ``no_vectors`` flag."""
    if table is not None:
        from sentclf.classify.features.embeddings import pool_vectors, token_ids
    for batch, tokens in tokenized_batches(documents, batch_size):
        if table is not None:
            ids, unknown = token_ids(table, tokens)
            vectors = pool_vectors(table.matrix, ids, pools)
            dim = table.dim
        for i, (doc, toks) in enumerate(zip(batch, tokens)):
            if table is None:
                yield feature_row(doc, trace(toks, lexicon))
                continue
            pooled = {p: vectors[i, k * dim : (k + 1) * dim].tolist() for k, p in enumerate(pools)}
            yield feature_row(doc, trace(toks, lexicon), pooled, unknown[i], no_vectors=not ids[i])


@dataclass
class FeaturesReport:
    """What ``features`` wrote: how many rows, where."""

    rows: int
    path: str | None = None  # None: the stream
    format: str = "table"
    partitions: int | None = None
    workers: int | None = None
    seconds: float | None = None


def features(config: FeaturesConfig, stream=None, progress=None) -> FeaturesReport:
    """Write the feature row of every input document where ``config.output`` says (``stream``: a
    text file such as ``sys.stdout``). ``progress(n_bytes)`` is called while a vectors file is read;
    for a dump every row of it is kept (case-folded): no training vocabulary exists."""
    config.validate()
    output = config.output
    if output.scheduler:
        return features_on_cluster(config)
    if output.path is None and stream is None:
        raise ConfigError(NO_STREAM)
    lexicon = config.lexicon.load()
    embeddings = config.embeddings
    table = None
    if embeddings.source is not None:
        from sentclf.classify.vectors.sources import load_vectors

        table = load_vectors(embeddings.source, embeddings.fmt, None, 0, progress)
    rows = feature_rows(config.inputs.documents(), lexicon, table, embeddings.pools, config.batch_size)
    if output.path:
        written = write_file(rows, output.path, output.force, inputs=config.inputs.files)
        return FeaturesReport(written["rows"], written["path"], written["format"])
    count = write_stream(rows, stream, output.stdout_format, FeatureTable(table is not None))
    return FeaturesReport(count, None, output.stdout_format)


def feature_means(config: FeatureMeansConfig) -> dict:
    """``{"source", "aliases", "classes": {label: {"n", "x1", ...}}}`` over a labelled dataset."""
    config.validate()
    dataset = config.data.load()
    return {
        "source": dataset.source,
        "aliases": FEATURE_ALIASES,
        "classes": class_means(dataset.texts, dataset.labels, config.lexicon.load()),
    }


def features_on_cluster(config: FeaturesConfig) -> FeaturesReport:
    """``features --scheduler``: x1..x6 of the input files on the cluster, as a Parquet dataset."""
    from sentclf.classify.parallel.dask_scoring import run_on_cluster

    def prepare():
        return None, {"lexicon": config.lexicon.load()}

    def columns(fields: list, options: dict) -> list:
        return feature_columns(fields)

    done = run_on_cluster(config.output, config.inputs, features_partition, columns, prepare)
    return FeaturesReport(done["rows"], done["path"], "parquet", done["partitions"], done["workers"], done["seconds"])


def features_partition(frame, text: str, fields: list, options: dict):
    """One partition's feature rows, as the in-process ``-o`` file holds them."""
    import pandas as pd

    from sentclf.classify.parallel.dask_scoring import partition_documents

    docs = partition_documents(frame, text, fields)
    rows = [machine_row(row, where=False) for row in feature_rows(docs, options["lexicon"])]
    return pd.DataFrame.from_records(rows, columns=options["columns"])
