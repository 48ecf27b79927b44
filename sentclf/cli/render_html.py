"""``evaluate --html`` and ``compare --html``: the reports as one HTML page each, built of the same
components as ``serve``'s page (:mod:`sentclf.html.components`), their pictures embedded."""

from __future__ import annotations

from html import escape
from pathlib import Path

from sentclf.cli.render import COMPARE_HEADER, compare_rows, metric_rows
from sentclf.html.components import confusion_matrix, document, highlighted_words, picture, table

PICTURES = {
    "confusion": "confusion matrix",
    "reliability": "calibration: reliability diagram",
    "features_by_class": "x1..x6 by class",
    "comparison": "accuracy by model and feature set",
    "learning_curve": "learning curve: accuracy against training-set size",
}


def pictures(paths: list) -> str:
    out = []
    for path in paths:
        stem = Path(path).stem
        name = next((title for key, title in PICTURES.items() if stem.startswith(key)), stem)
        model = stem.split("_", 1)[1] if stem.startswith(("confusion_", "reliability_")) else ""
        caption = f"{name}, {model}" if model else name
        out.append(f"<h3>{escape(caption)}</h3>{picture(path, caption)}")
    return "".join(out)


def evaluate_html(report: dict) -> str:
    metrics, labels = report["metrics"], report["labels"]
    empty = f" ({report['empty_documents']} empty)" if report["empty_documents"] else ""
    parts = [
        "<main><h1>Evaluation</h1>",
        f"<p>{report['n_documents']:,} documents from <code>{escape(report['source'])}</code>{escape(empty)}, "
        f"scored by <code>{escape(report['model'])}</code>; labels "
        + ", ".join(f"{escape(k)} {v:,}" for k, v in report["label_counts"].items())
        + "</p>",
        "<h2>Metrics</h2>",
        table(["metric", *metrics], metric_rows(metrics, labels)),
    ]
    if report.get("significance"):
        parts.append(f"<p>McNemar: {escape(report['significance']['verdict'])}</p>")
    parts.append("<h2>Confusion matrices</h2>")
    for kind, m in metrics.items():
        parts.append(confusion_matrix(labels, m["confusion_matrix"], f"{kind}: rows true, columns predicted"))
    errors = report.get("confident_errors")
    if errors:
        parts.append(f"<h2>The most confident errors ({escape(errors['model'])})</h2>")
        if not errors["errors"]:
            parts.append("<p>None: every document was labelled right.</p>")
        for i, error in enumerate(errors["errors"]):
            parts.append(
                '<section class="error-case">'
                f"<p><strong>true {escape(error['true'])}</strong>, predicted {escape(error['predicted'])} "
                f"with P = {error['confidence']:.3f}</p>"
                f"{highlighted_words(error['words'], error['predicted'], legend=i == 0)}</section>"
            )
    if report.get("plots"):
        parts += ["<h2>Pictures</h2>", pictures(report["plots"])]
    parts.append("</main>")
    return document(f"sentclf evaluate: {Path(report['source']).name}", "".join(parts))


def compare_html(report: dict) -> str:
    title = (
        f"{report['cv']}-fold stratified CV (seed {report['seed']}) on {report['n_documents']:,} documents "
        f"from {report['data']['source']}; mean ± std over folds"
    )
    parts = ["<main><h1>Comparison</h1>", table(COMPARE_HEADER, compare_rows(report), title)]
    if report["significance"]:
        parts.append("<h2>MLP against LR</h2><ul>")
        for s in report["significance"]:
            parts.append(
                f"<li>{escape(s['features'])}: MLP − LR = {s['mean_difference']:+.4f}, t = {s['t']:.2f}, "
                f"p = {s['p_value']:.3f}: {escape(s['verdict'])}</li>"
            )
        parts.append("</ul>")
    if report.get("learning_curve"):
        rows = [
            [c["features"], c["model"], f"{c['n_train']:,}", f"{c['accuracy_mean']:.4f} ± {c['accuracy_std']:.4f}"]
            for c in report["learning_curve"]
        ]
        parts += ["<h2>Learning curve</h2>", table(["features", "model", "training docs", "accuracy"], rows)]
    if report.get("plots"):
        parts += ["<h2>Pictures</h2>", pictures(report["plots"])]
    parts.append("</main>")
    return document(f"sentclf compare: {Path(report['data']['source']).name}", "".join(parts))
