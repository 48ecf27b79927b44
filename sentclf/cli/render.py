"""Plain-text rendering of the classifier's reports: tables for people (the language model's are in
:mod:`.render_lm`), and the log lines that say what a scoring command wrote. The rows themselves are
the library's (:mod:`sentclf.classify.rows`)."""

from __future__ import annotations

import logging

DECIMALS = 4
log = logging.getLogger("sentclf")


def rounded(value):
    """Floats to DECIMALS places; counts and flags (ints) stay ints."""
    return value if isinstance(value, int) else round(float(value), DECIMALS)


def table(rows: list, header: list) -> str:
    """Left-aligned first column, right-aligned others, two spaces between columns."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def train_table(report: dict) -> str:
    """The side-by-side comparison of the trained models on the held-out split."""
    metrics, kinds = report["metrics"], list(report["metrics"])
    rows = metric_rows(metrics, report["labels"])
    rows.append(["train seconds"] + [f"{metrics[k]['train_seconds']:.2f}" for k in kinds])
    rows.append(["predict docs/s"] + [f"{metrics[k]['predict_docs_per_s']:,.0f}" for k in kinds])
    data = report["data"]
    title = (
        f"held-out {data['n_test']:,} of {data['n_train'] + data['n_test']:,} documents "
        f"from {data['source']} (seed {report['config']['model']['seed']})"
    )
    lines = [title, table(rows, ["metric"] + [f"{k} ({report['models'][k]})" for k in kinds])]
    if report.get("significance"):
        lines.append(f"McNemar on the held-out split: {report['significance']['verdict']}")
    lines.append(
        f"best: {report['best_model']} ({report['models'][report['best_model']]}, by macro-F1) -> {report['path']}"
    )
    return "\n".join(lines)


def metric_rows(metrics: dict, labels: list) -> list:
    """Accuracy with its 95% CI, macro-F1, per-class P/R/F1, log loss and Brier, one column per model."""
    kinds = list(metrics)
    rows = [
        ["accuracy"] + [fmt(metrics[k]["accuracy"]) for k in kinds],
        ["accuracy 95% CI"] + ["{:.3f}-{:.3f}".format(*metrics[k]["accuracy_ci95"]) for k in kinds],
        ["macro-F1"] + [fmt(metrics[k]["macro_f1"]) for k in kinds],
    ]
    for label in labels:
        for stat in ("precision", "recall", "f1"):
            rows.append([f"{label} {stat}"] + [fmt(metrics[k]["per_class"][label][stat]) for k in kinds])
        rows.append([f"{label} support"] + [str(metrics[k]["per_class"][label]["support"]) for k in kinds])
    rows.append(["log loss"] + [fmt(metrics[k]["log_loss"]) for k in kinds])
    rows.append(["Brier score"] + [fmt(metrics[k]["brier"]) for k in kinds])
    if all("calibration_error" in metrics[k] for k in kinds):  # files from before 0.2 did not record it
        rows.append(["calibration error"] + [fmt(metrics[k]["calibration_error"]) for k in kinds])
    return rows


def evaluate_text(report: dict) -> str:
    """Metrics side by side, then each model's confusion matrix (rows: true label, columns: predicted)."""
    metrics, labels = report["metrics"], report["labels"]
    lines = [
        f"{report['n_documents']:,} documents from {report['source']} scored by {report['model']}"
        + (f" ({report['empty_documents']} empty)" if report["empty_documents"] else ""),
        table(metric_rows(metrics, labels), ["metric", *metrics]),
    ]
    if report.get("significance"):
        lines.append(f"McNemar: {report['significance']['verdict']}")
    for kind, m in metrics.items():
        rows = [[f"true {label}", *map(str, counts)] for label, counts in zip(labels, m["confusion_matrix"])]
        lines += ["", f"confusion matrix, {kind}", table(rows, ["", *[f"pred {label}" for label in labels]])]
    return "\n".join(lines)


def compare_rows(report: dict) -> list:
    return [
        [
            r["features"],
            r["model"],
            f"{r['accuracy_mean']:.4f} ± {r['accuracy_std']:.4f}",
            f"{r['macro_f1_mean']:.4f} ± {r['macro_f1_std']:.4f}",
            f"{r['train_seconds_mean']:.2f}",
            f"{r['predict_docs_per_s_mean']:,.0f}",
        ]
        for r in report["cells"]
    ]


COMPARE_HEADER = ["features", "model", "accuracy", "macro-F1", "train s", "predict docs/s"]


def compare_text(report: dict, markdown: bool = False) -> str:
    """The comparison table, LR vs MLP verdicts, and the learning curve when there is one."""
    title = (
        f"{report['cv']}-fold stratified CV (seed {report['seed']}) on {report['n_documents']:,} documents "
        f"from {report['data']['source']}; mean ± std over folds"
    )
    render_table = markdown_table if markdown else table
    lines = [title, "", render_table(compare_rows(report), COMPARE_HEADER), ""]
    for s in report["significance"]:
        lines.append(
            f"{s['features']}: MLP − LR = {s['mean_difference']:+.4f}, t = {s['t']:.2f}, "
            f"p = {s['p_value']:.3f}: {s['verdict']}"
        )
    if report.get("learning_curve"):
        rows = [
            [c["features"], c["model"], f"{c['n_train']:,}", f"{c['accuracy_mean']:.4f} ± {c['accuracy_std']:.4f}"]
            for c in report["learning_curve"]
        ]
        lines += ["", "learning curve", render_table(rows, ["features", "model", "training docs", "accuracy"])]
    return "\n".join(lines).rstrip()


def markdown_table(rows: list, header: list) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def datasets_table(rows: list) -> str:
    body = [[r["name"], r["reference"], r["size"], r["checksum"], "yes" if r["available"] else "no"] for r in rows]
    notes = [f"{r['name']}: {r['title']}. {r['licence']}. {r.get('note', '')}".rstrip() for r in rows]
    return table(body, ["name", "use as DATA", "size", "verified by", "here"]) + "\n\n" + "\n".join(notes)


def _num(value, fmt: str) -> str:
    return "" if value is None else fmt.format(value)


def explain_ensemble_table(result: dict) -> str:
    """Each member's probabilities and label, then the combined ones; an LR member's block sums below."""
    classes = result["classes"]
    rows = [[m["name"], *[f"{m['probabilities'][c]:.3f}" for c in classes], m["label"]] for m in result["members"]]
    rows.append(
        [f"ensemble ({result['method']})", *[f"{result['probabilities'][c]:.3f}" for c in classes], result["label"]]
    )
    lines = [
        f"{result['n_tokens']} tokens" + ("  (empty document)" if result["empty"] else ""),
        table(rows, ["member", *[f"P({c})" for c in classes], "label"]),
    ]
    for member in result["members"]:
        if "explanation" in member:
            how = "occlusion" if member["explanation"].get("kind") in ("network", "words") else "z = w·x + b"
            lines += ["", f"{member['name']}: {how}", explain_table(member["explanation"])]
    return "\n".join(lines)


def explain_table(result: dict) -> str:
    kind = result.get("kind")
    if kind == "ensemble":
        text = explain_ensemble_table(result)
    elif kind == "network":
        text = explain_network_table(result)
    elif kind == "words":
        text = explain_words_table(result)
    else:
        text = explain_linear_table(result)
    if "calibrated" in result:
        probs = _probabilities(result["calibrated"]["probabilities"])
        text += (
            f"\ncalibrated ({result['calibrated']['method']}), as predict gives them: {probs}  ->  {result['label']}"
        )
    return text


def explain_network_table(result: dict) -> str:
    """The MLP's occlusion table: how much each feature moves log P(c)."""
    classes = result["classes"]
    rows = [
        [
            f"{r['name']} {r['alias']}",
            _num(r["value"], "{:.3f}"),
            _num(r["scaled"], "{:+.3f}"),
            *[f"{r['contributions'][c]:+.3f}" for c in classes],
        ]
        for r in result["features"]
    ]
    return "\n".join(
        [
            _document_line(result),
            "two-layer MLP: no weight per feature; each row is log P(c) minus log P(c) with the feature removed"
            " (scaled to 0: its training mean; for n-grams, absent)",
            table(rows, ["feature", "value", "scaled", *[f"Δlog P({c})" for c in classes]]),
            f"P = MLP(x): {_probabilities(result['probabilities'])}  ->  {result['label']}",
        ]
    )


def explain_words_table(result: dict) -> str:
    """The occlusion table of a model read word by word (the fine-tuned encoder, a student): how much
    each word moves log P(c)."""
    classes = result["classes"]
    model = result.get("model", "fine-tuned encoder")
    rows = [[w["word"], *[f"{w['contributions'][c]:+.3f}" for c in classes]] for w in result["words"]]
    return "\n".join(
        [
            f"{result['n_tokens']} tokens" + ("  (empty document)" if result["empty"] else ""),
            f"{model}: each row is log P(c) minus log P(c) with the word left out (occlusion)",
            table(rows, ["word", *[f"Δlog P({c})" for c in classes]]),
            f"P = {model.split()[-1]}(text): {_probabilities(result['probabilities'])}  ->  {result['label']}",
        ]
    )


def explain_linear_table(result: dict) -> str:
    scored = result["scored_classes"]
    header = ["feature", "value", "scaled"] + [f"w[{c}]" for c in scored] + [f"w*x[{c}]" for c in scored]
    rows = [
        [
            f"{r['name']} {r['alias']}",
            _num(r["value"], "{:.3f}"),
            _num(r["scaled"], "{:+.3f}"),
            *[_num(r["weights"][c], "{:+.3f}") for c in scored],
            *[f"{r['contributions'][c]:+.3f}" for c in scored],
        ]
        for r in result["features"]
    ]
    rows.append(["bias b", "", "", *[""] * len(scored), *[f"{result['bias'][c]:+.3f}" for c in scored]])
    rows.append(["z = w·x + b", "", "", *[""] * len(scored), *[f"{result['z'][c]:+.3f}" for c in scored]])
    link = "P = σ(z)" if result["link"] == "sigmoid" else "P = softmax(z)"
    probabilities = result["probabilities"]
    notes = [
        _document_line(result),
        table(rows, header),
        f"{link}: {_probabilities(probabilities)}  ->  {max(probabilities, key=probabilities.get)}",
    ]
    return "\n".join(notes)


def _document_line(result: dict) -> str:
    """'7 tokens; positive: love; negative: regrets' above an explanation table."""
    matched = "; ".join(f"{k}: {' '.join(v)}" for k, v in result["matched"].items() if v) or "no lexicon matches"
    return f"{result['n_tokens']} tokens; {matched}" + ("  (empty document)" if result["empty"] else "")


def _probabilities(probabilities: dict) -> str:
    return ", ".join(f"P({c}) = {p:.3f}" for c, p in probabilities.items())


def _feature_summary(names: list) -> str:
    """x1..x6 in full; runs of embedding dimensions shortened to emb_mean_0..383."""
    six = [n for n in names if not n.startswith("emb_")]
    groups: dict[str, list] = {}
    for name in names:
        if name.startswith("emb_"):
            groups.setdefault(name.rsplit("_", 1)[0], []).append(name)
    return ", ".join(six + [f"{prefix}_0..{len(members) - 1}" for prefix, members in groups.items()])


def info_text(meta: dict, path: str, size: int) -> str:
    env, data, lex = meta.get("environment", {}), meta.get("data", {}), meta.get("lexicon", {})
    lines = [
        f"model file      {path} ({size:,} bytes, format {meta['format_version']})",
        f"created         {meta.get('created', '?')} with sentclf {env.get('sentclf', '?')}, "
        f"scikit-learn {env.get('scikit_learn', '?')}, numpy {env.get('numpy', '?')}, Python {env.get('python', '?')}",
        f"labels          {', '.join(meta.get('labels', []))}",
        f"models          {', '.join(f'{k} ({v})' for k, v in meta.get('models', {}).items())}; "
        f"best: {meta.get('best_model')}",
        f"features        {_feature_summary(meta.get('feature_names', []))}",
        f"lexicon         {lex.get('source')}: "
        + ", ".join(f"{k} {v:,}" for k, v in lex.get("sizes", {}).items())
        + f"; sha256 {lex.get('sha256', '')[:16]}…",
        f"data            {data.get('source')} ({data.get('format')}) sha256 {data.get('sha256', '')[:16]}…",
        f"rows            {data.get('rows_read')} read, {data.get('bad_rows_skipped')} bad and "
        f"{data.get('empty_skipped')} empty skipped, {data.get('n_train')} train / {data.get('n_test')} held out",
    ]
    emb = meta.get("embeddings")
    if emb:
        lines.append(
            f"embeddings      {emb['source']} ({emb['format']}, {emb['dim']}d, pool {','.join(emb['pool'])}); "
            f"sha256 {emb['sha256'][:16]}…"
        )
        lines.append(
            f"vectors kept    {emb['vocabulary_kept']:,} of {emb['file_words']:,}; training OOV rate "
            f"{100 * emb['oov_rate']:.1f}%, {emb['train_docs_without_vectors']} training docs without vectors"
        )
    for name, tuned in meta.get("finetune", {}).items():
        lines += finetune_lines(name, tuned)
    if meta.get("distilled"):
        lines += distilled_lines(meta["distilled"])
    for kind, m in meta.get("metrics", {}).items():
        lines.append(f"held-out {kind:6s} accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}")
    return "\n".join(lines)


def finetune_lines(name: str, tuned: dict) -> list:
    """What ``info`` says of a fine-tuned encoder: its base model, the layers tuned, the curve."""
    best = tuned.get("best") or {}
    lines = [
        f"fine-tuned      {name}: {tuned['base']} (sha256 {tuned['base_sha256'][:16]}…), tuned "
        f"{', '.join(tuned['layers_tuned'])}; at most {tuned['epochs']} epochs, {tuned['n_train']:,} training and "
        f"{tuned['n_validation']:,} validation documents, {tuned['seconds']:,.0f} s",
    ]
    if "val_accuracy" in best:
        lines.append(
            f"best check      epoch {best['epoch']:g}: validation accuracy {best['val_accuracy']:.3f}, "
            f"loss {best['val_loss']:.3f} (its weights are the ones kept)"
        )
    points = tuned.get("curve", [])
    if any("val_accuracy" in p for p in points):
        scores = "; ".join(f"{p['epoch']:g}: {p['val_accuracy']:.3f}" for p in points)
        lines.append(f"validation      {scores} (epoch: accuracy)")
    elif points:  # nothing held out (a small training set): the training loss is all there is
        losses = "; ".join(f"{p['epoch']:g}: {p['train_loss']:.3f}" for p in points)
        lines.append(f"training loss   {losses} (epoch: loss)")
    return lines


def log_scoring(report, noun: str, encoding: str) -> None:
    """What ``predict`` or ``features`` wrote, and what it met on the way, as log lines on stderr."""
    with_model = f" with {report.kind}" if getattr(report, "kind", None) else ""
    if report.partitions is not None:
        log.info(
            "wrote %s %s to %s: %d partition(s) on %d worker(s) in %.1f s",
            f"{report.rows:,}",
            noun,
            report.path,
            report.partitions,
            report.workers,
            report.seconds,
        )
        return
    if report.path is not None:
        log.info("wrote %s %s to %s%s", f"{report.rows:,}", noun, report.path, with_model)
    elif with_model:
        log.info("scored %d document(s)%s", report.rows, with_model)
    if getattr(report, "empty", 0):
        log.warning("%d empty document(s): their label is the model's prior", report.empty)
    skipped = getattr(report, "skipped", [])
    if skipped:
        file, line = skipped[0]
        log.warning(
            "skipped %d line(s) that are not valid %s (the first: %s line %d)", len(skipped), encoding, file, line
        )


def distilled_lines(distilled: dict) -> list:
    """What ``info`` says of a student: its teacher, what it learned from, how close it came."""
    held, teacher, unlabeled = distilled["held_out"], distilled["teacher"], distilled["unlabeled"]
    return [
        f"distilled from  {teacher['path']} ({teacher['kind']}, sha256 {teacher['sha256'][:16]}…)",
        f"unlabeled       {unlabeled['documents']:,} texts (sha256 {unlabeled['sha256'][:16]}…), "
        f"{distilled['augmented']['variants']:,} augmented, {distilled['texts_labelled_by_teacher']:,} labelled "
        f"by the teacher at temperature {distilled['temperature']:g}",
        f"against teacher held-out accuracy {held['student_accuracy']:.3f} (teacher {held['teacher_accuracy']:.3f}), "
        f"agreement {held['agreement']:.3f}, {held['student_docs_per_second']:,} docs/s "
        f"(teacher {held['teacher_docs_per_second']:,})",
    ]
