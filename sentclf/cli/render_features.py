"""Plain-text rendering of ``sentclf features``: the feature dump's table, JSON and CSV rows, and the
per-class means. No I/O here."""

from __future__ import annotations

from sentclf.classify.features import SIX_ALIASES as FEATURE_ALIASES
from sentclf.classify.features import SIX_NAMES as FEATURE_NAMES
from sentclf.cli.render import DECIMALS, rounded, table


def feature_row_table(row: dict) -> str:
    """x1..x6 and the matched tokens; with embeddings, the number of tokens without a vector."""
    values = "\t".join(f"{row[name]:.2f}" if name == "x6" else str(int(row[name])) for name in FEATURE_NAMES)
    matched = " ".join(f"{kind}={','.join(tokens)}" for kind, tokens in row["matched"].items() if tokens)
    extra = [f"{len(row['oov'])}{' (no vectors)' if row['no_vectors'] else ''}"] if "oov" in row else []
    return "\t".join([row["file"], str(row["line"]), values, *extra, matched or "-"])


def feature_header(embeddings: bool = False) -> str:
    """Column names with their readable aliases: x1:positive_count ... x6:log_token_count."""
    names = [f"{name}:{FEATURE_ALIASES[name]}" for name in FEATURE_NAMES]
    return "\t".join(["file", "line", *names, *(["oov_tokens"] if embeddings else []), "matched"])


def _embedding_keys(row: dict) -> list:
    return [key for key in row if key.startswith("emb_")]


def feature_json(row: dict) -> dict:
    out = {
        **{k: row[k] for k in ("file", "line")},
        **row.get("fields", {}),
        "text": row["text"],
        **{name: rounded(row[name]) for name in FEATURE_NAMES},
        "n_tokens": row["n_tokens"],
        "empty": row["empty"],
        "matched": row["matched"],
    }
    for key in _embedding_keys(row):
        out[key] = [round(v, DECIMALS) for v in row[key]]
    if "oov" in row:
        out.update(oov=row["oov"], no_vectors=row["no_vectors"])
    return out


def feature_csv(row: dict) -> list:
    vectors = [round(v, DECIMALS) for key in _embedding_keys(row) for v in row[key]]
    return [
        row["file"],
        row["line"],
        *row.get("fields", {}).values(),
        *[rounded(row[name]) for name in FEATURE_NAMES],
        row["n_tokens"],
        row["empty"],
        *[" ".join(row["matched"][k]) for k in ("positive", "negative", "pronouns")],
        *([" ".join(row["oov"]), row["no_vectors"]] if "oov" in row else []),
        *vectors,
        row["text"],
    ]


def feature_csv_header(first_row: dict) -> list:
    vectors = [f"{key}_{i}" for key in _embedding_keys(first_row) for i in range(len(first_row[key]))]
    return [
        "file",
        "line",
        *first_row.get("fields", {}),
        *FEATURE_NAMES,
        "n_tokens",
        "empty",
        "positive",
        "negative",
        "pronouns",
        *(["oov", "no_vectors"] if "oov" in first_row else []),
        *vectors,
        "text",
    ]


def means_table(result: dict) -> str:
    rows = [
        [f"{name} {FEATURE_ALIASES[name]}"] + [f"{stats[name]:.3f}" for stats in result["classes"].values()]
        for name in FEATURE_NAMES
    ]
    rows.append(["documents"] + [str(stats["n"]) for stats in result["classes"].values()])
    return table(rows, ["feature", *list(result["classes"])])
