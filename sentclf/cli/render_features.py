"""Plain-text rendering of ``sentclf features --labels``: the per-class means of x1..x6 (the dump's
rows are the library's: :mod:`sentclf.classify.rows`). No I/O here."""

from __future__ import annotations

from sentclf.classify.features import SIX_ALIASES as FEATURE_ALIASES
from sentclf.classify.features import SIX_NAMES as FEATURE_NAMES
from sentclf.cli.render import table


def means_table(result: dict) -> str:
    rows = [
        [f"{name} {FEATURE_ALIASES[name]}"] + [f"{stats[name]:.3f}" for stats in result["classes"].values()]
        for name in FEATURE_NAMES
    ]
    rows.append(["documents"] + [str(stats["n"]) for stats in result["classes"].values()])
    return table(rows, ["feature", *list(result["classes"])])
