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
    documents = documents_of(config.files, config.texts, config.whole_file, config.encoding)
    return feature_rows(documents, lexicon, config.embeddings, progress, config.batch_size)
