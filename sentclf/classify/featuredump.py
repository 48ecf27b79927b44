"""``features``: the feature dump of each document (x1..x6, the tokens behind them, pooled vectors),
or the per-class means of x1..x6 over a labelled dataset."""

from __future__ import annotations

from sentclf.classify.config import parse_pool
from sentclf.classify.features.embeddings import pool_vectors, token_ids
from sentclf.classify.features.six import FEATURE_ALIASES, class_means, trace
from sentclf.classify.prediction import tokenized_batches
from sentclf.classify.scoring_config import FeaturesConfig
from sentclf.classify.vector_sources import load_vectors
from sentclf.data.documents import documents_of
from sentclf.data.tables import Columns

MATCHED = ("positive", "negative", "pronouns")
FLAT_COLUMNS = (*FEATURE_ALIASES, "n_tokens", "empty", *MATCHED)  # flat_row's columns between the carried ones and text


def feature_rows(documents, lexicon, embeddings=None, progress=None, batch_size: int = 1000):
    """Yield the feature dump of each document: x1..x6, token count, matched tokens, and with
    embeddings the pooled vector(s), the tokens without a vector and a ``no_vectors`` flag.

    For a dump every row of the vectors file is kept (case-folded): no training vocabulary exists.
    """
    table = None
    if embeddings is not None and embeddings.source is not None:
        embeddings.validate()
        table = load_vectors(embeddings.source, embeddings.fmt, None, 0, progress)
        pools = parse_pool(embeddings.pool)
    for batch, tokens in tokenized_batches(documents, batch_size):
        if table is not None:
            ids, unknown = token_ids(table, tokens)
            vectors = pool_vectors(table.matrix, ids, pools)
        for i, (doc, toks) in enumerate(zip(batch, tokens)):
            result = trace(toks, lexicon)
            row = {
                "file": doc.file,
                "line": doc.line,
                "text": doc.text,
                "fields": doc.fields,
                **result.as_dict(),
                "n_tokens": result.n_tokens,
                "empty": result.empty,
                "matched": result.matched,
            }
            if table is not None:
                dim = table.dim
                row.update({f"emb_{p}": vectors[i, k * dim : (k + 1) * dim].tolist() for k, p in enumerate(pools)})
                row.update(oov=unknown[i], no_vectors=not ids[i])
            yield row


def features(config: FeaturesConfig, progress=None):
    """With ``config.labelled``: ``{"source", "aliases", "classes": {label: {"n", "x1", ...}}}``; else an
    iterator of :func:`feature_rows` over the documents (``progress(n_bytes)`` while vectors load)."""
    config.validate()
    lexicon = config.lexicon.load()
    if config.labelled is not None:
        dataset = config.labelled.load()
        return {
            "source": dataset.source,
            "aliases": FEATURE_ALIASES,
            "classes": class_means(dataset.texts, dataset.labels, lexicon),
        }
    columns = Columns(config.text_col, config.id_col, config.keep_cols)
    documents = documents_of(config.files, config.texts, config.whole_file, config.encoding, columns=columns)
    return feature_rows(documents, lexicon, config.embeddings, progress, config.batch_size)


def flat_row(row: dict, fmt: str) -> dict:
    """A feature row as one flat record for ``features -o``: the table's id and kept columns (else
    file and line), x1..x6, n_tokens, empty, the matched tokens space-joined per kind, and pooled
    vectors as lists (in CSV one column per dimension). A carried column whose name is also an output
    column is renamed ``in_NAME``."""
    out = {name: row[name] for name in FEATURE_ALIASES}
    out.update(n_tokens=row["n_tokens"], empty=row["empty"])
    out.update({kind: " ".join(row["matched"][kind]) for kind in MATCHED})
    if "oov" in row:
        out.update(oov=" ".join(row["oov"]), no_vectors=row["no_vectors"])
    for key in (k for k in row if k.startswith("emb_")):
        if fmt == "csv":
            out.update({f"{key}_{i}": v for i, v in enumerate(row[key])})
        else:
            out[key] = row[key]
    out["text"] = row["text"]
    carried = {f"in_{k}" if k in out else k: v for k, v in row["fields"].items()}
    return {**(carried or {"file": row["file"], "line": row["line"]}), **out}


def carried_columns(fields: list) -> list:
    """The names :func:`flat_row` gives a table's carried columns (without vectors)."""
    outputs = {*FLAT_COLUMNS, "text"}
    return [f"in_{f}" if f in outputs else f for f in fields]
