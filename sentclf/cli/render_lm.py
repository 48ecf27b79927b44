"""Plain-text rendering of the language model's results. No I/O here."""

from __future__ import annotations

from sentclf.cli.render import table


def _perplexity_rows(neural: float, window: int, baseline: dict | None, mixture: dict | None = None) -> list:
    rows = [[f"neural LM (window {window})", f"{neural:.1f}"]]
    if baseline:
        rows.append([f"{baseline['model']}, D = {baseline['discount']:.2f}", f"{baseline['perplexity']:.1f}"])
    if mixture:
        rows.append(
            [f"mixture λ·neural + (1 − λ)·Kneser-Ney, λ = {mixture['lambda']:.2f}", f"{mixture['perplexity']:.1f}"]
        )
    return rows


def baseline_notes(neural: float, baseline: dict | None, oov_rate: float, training: bool) -> list:
    """What to make of the Kneser-Ney column: why it can be infinite, and what to try when it wins."""
    if not baseline:
        return []
    if baseline["perplexity"] == float("inf"):
        return [
            f"Kneser-Ney is infinite: {100 * oov_rate:.1f}% of the tokens are <unk>, and <unk> never occurs in "
            "its training text when every word is kept (--min-count 1), so it gives them probability 0: "
            "train with --min-count 2 (the default) for a finite baseline"
        ]
    if training and baseline["perplexity"] < neural:
        return [
            f"Kneser-Ney beats the network here ({baseline['perplexity']:.1f} against {neural:.1f}): "
            "try --tie --dropout 0.2 (tied embeddings, regularized), which beat it on MR (docs/lm.md)"
        ]
    return []


def lm_train_text(report: dict) -> str:
    m, data, window = report["metrics"], report["data"], report["config"]["window"]
    lines = [
        f"{report['path']}: vocabulary {report['vocab_size']:,} (with <unk> <s> </s>), "
        f"{data['train_tokens']:,} training tokens, {m['epochs']} epochs (best: {m['best_epoch']}), "
        f"{m['tokens_per_second']:,} tokens/s"
    ]
    if "heldout_perplexity" in m:
        lines.append(
            f"held-out perplexity ({data['heldout_tokens']:,} tokens, {100 * m['heldout_oov_rate']:.1f}% <unk>):"
        )
        lines.append(
            table(
                _perplexity_rows(m["heldout_perplexity"], window, m.get("baseline"), m.get("mixture")),
                ["model", "perplexity"],
            )
        )
        tied = report["config"].get("tie")
        notes = baseline_notes(m["heldout_perplexity"], m.get("baseline"), m["heldout_oov_rate"], not tied)
        lines += notes
    else:
        lines.append("no held-out text (one document, or --holdout 0): no perplexity to report")
    return "\n".join(lines)


def lm_perplexity_text(report: dict, window: int) -> str:
    head = (
        f"{report['source']}: {report['tokens']:,} tokens, {100 * report['oov_rate']:.1f}% <unk> "
        f"(model {report['path']})"
    )
    rows = _perplexity_rows(report["perplexity"], window, report.get("baseline"), report.get("mixture"))
    notes = baseline_notes(report["perplexity"], report.get("baseline"), report["oov_rate"], False)
    return "\n".join([head, table(rows, ["model", "perplexity"]), *notes])


def lm_words_table(rows: list, key: str) -> str:
    return table([[row["word"], f"{row[key]:.4f}"] for row in rows], ["word", key])


def lm_info_text(meta: dict, path: str, size: int) -> str:
    env, data, m, c = meta.get("environment", {}), meta.get("data", {}), meta.get("metrics", {}), meta["config"]
    lines = [
        f"language model  {path} ({size:,} bytes, format {meta['format_version']})"
        + ("" if meta.get("complete", True) else " (a checkpoint: training did not finish)"),
        f"created         {meta.get('created', '?')} with sentclf {env.get('sentclf', '?')}, "
        f"numpy {env.get('numpy', '?')}, Python {env.get('python', '?')}",
        f"network         window {c['window']}, d = {c['dim']}, hidden {c['hidden']} {c['activation']}, "
        f"{'tied (z = h P Eᵀ + c)' if c.get('tie') else 'output U'}, dropout {c.get('dropout', 0)}, "
        f"vocabulary {meta.get('vocab_size', 0):,}",
        f"data            {data.get('source')}: {data.get('documents', 0):,} documents, sha256 "
        f"{data.get('sha256', '')[:16]}…",
    ]
    if "heldout_perplexity" in m:
        lines.append(
            f"held-out        perplexity {m['heldout_perplexity']:.1f}"
            + (f" (Kneser-Ney: {m['baseline']['perplexity']:.1f})" if "baseline" in m else "")
            + (
                f", mixture {m['mixture']['perplexity']:.1f} (λ = {m['mixture']['lambda']:.2f})"
                if "mixture" in m
                else ""
            )
        )
    return "\n".join(lines)
