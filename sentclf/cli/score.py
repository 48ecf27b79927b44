"""``sentclf predict``, ``sentclf features`` and ``sentclf explain``: scoring documents one by one."""

from __future__ import annotations

import itertools
import json
import logging

import click

from sentclf.classify.config import MODEL_KINDS, EmbeddingConfig
from sentclf.classify.scoring_config import ExplainConfig, FeaturesConfig, PredictConfig
from sentclf.cli.app import CONTEXT
from sentclf.cli.options import (
    cluster_address,
    data_options,
    embedding_options,
    lexicon_options,
    model_path_option,
    quiet_option,
    scheduler_option,
    table_options,
    table_options_without_text,
    trust_option,
)
from sentclf.cli.progress import VectorsProgress
from sentclf.data.source import DataConfig

OUTPUT_BATCH = 1000  # lines written per call: one click.echo per document costs a quarter of predict's time
log = logging.getLogger("sentclf")


def _need_files(files) -> tuple:
    if not files:
        raise click.UsageError("give at least one FILE, or - to read standard input")
    return tuple(files)


@click.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1)
@model_path_option
@trust_option
@click.option("--use", type=click.Choice(MODEL_KINDS), help="Which model to use (default: the best one).")
@click.option("--whole-file", is_flag=True, help="Each FILE is one document (default: one per line).")
@click.option("--encoding", default="utf-8", show_default=True)
@click.option("--skip-bad", is_flag=True, help="Leave out lines that are not valid in --encoding, and count them.")
@click.option("--jsonl", "out", flag_value="jsonl", help="One JSON object per document.")
@click.option("--csv", "out", flag_value="csv", help="CSV with a header row.")
@table_options
@click.option(
    "--min-confidence",
    type=float,
    default=0.0,
    metavar="P",
    help="Label a document 'uncertain' when its top probability is below P.",
)
@click.option(
    "--neutral-band",
    type=float,
    default=0.0,
    metavar="B",
    help="Two-class models: label 'neutral' when the top probability is below 0.5 + B.",
)
@scheduler_option
@quiet_option
def predict(
    files,
    model_path,
    trusted,
    use,
    whole_file,
    encoding,
    skip_bad,
    out,
    table,
    min_confidence,
    neutral_band,
    scheduler,
):
    """Label each line of FILE (or each FILE with --whole-file), or each row of a table FILE (.csv,
    .tsv, .jsonl, .parquet, maybe .gz); - reads stdin. Examples:

    \b
    sentclf predict reviews.txt --jsonl
    sentclf predict reviews.csv.gz --id-col review_id -o scored.parquet
    """
    from sentclf.classify.prediction import predict as run_predict
    from sentclf.cli import render

    config = PredictConfig(
        files=_need_files(files),
        model_path=model_path,
        trusted=trusted,
        use=use,
        whole_file=whole_file,
        encoding=encoding,
        skip_bad=skip_bad,
        text_col=table["text_col"],
        id_col=table["id_col"],
        keep_cols=table["keep_cols"],
        min_confidence=min_confidence,
        neutral_band=neutral_band,
    )
    address = cluster_address(scheduler, table["output"])
    if address:
        from sentclf.classify.cluster import predict_on_cluster

        done = predict_on_cluster(config, address, table["output"], table["force"])
        log.info(
            "wrote %s prediction(s) to %s: %d partition(s) on %d worker(s) in %.1f s",
            f"{done['rows']:,}",
            done["path"],
            done["partitions"],
            done["workers"],
            done["seconds"],
        )
        return
    predictions = run_predict(config)
    if table["output"]:
        from sentclf.classify.prediction_files import write_predictions

        written = write_predictions(predictions, table["output"], table["force"], inputs=config.files)
        log.info("wrote %s prediction(s) to %s", f"{written['rows']:,}", written["path"])
        return
    labels = predictions.labels
    results = iter(predictions)
    first = next(results, None)  # a table's id and kept columns head the CSV
    extra = tuple(first["fields"]) if first else ()
    if out == "csv":
        click.echo(render.csv_line(["file", "line", *extra, "label", *[f"p_{x}" for x in labels], "empty", "text"]))
    elif out is None:
        click.echo(render.prediction_header(labels))
    lines = []
    for result in itertools.chain([first] if first else [], results):
        if out == "jsonl":
            lines.append(render.json_line(render.prediction_json(result)))
        else:
            lines.append(
                render.csv_line(render.prediction_csv(result, labels, extra))
                if out == "csv"
                else render.prediction_row(result, labels)
            )
        if len(lines) >= OUTPUT_BATCH:
            click.echo("\n".join(lines))
            lines.clear()
    if lines:
        click.echo("\n".join(lines))
    log.info("scored %d document(s) with %s", predictions.n, predictions.kind)
    if predictions.n_empty:
        log.warning("%d empty document(s): their label is the model's prior", predictions.n_empty)
    if predictions.skipped:
        file, line = predictions.skipped[0]
        log.warning(
            "skipped %d line(s) that are not valid %s (the first: %s line %d)",
            len(predictions.skipped),
            encoding,
            file,
            line,
        )


@click.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1)
@click.option("--labels", "labelled", help="A labelled DATA file: print per-class means of x1..x6 instead.")
@click.option("--whole-file", is_flag=True, help="Each FILE is one document (default: one per line).")
@click.option("--jsonl", "out", flag_value="jsonl", help="One JSON object per document.")
@click.option("--csv", "out", flag_value="csv", help="CSV with a header row.")
@click.option("--json", "out", flag_value="json", help="With --labels: the means as one JSON object.")
@table_options_without_text
@data_options
@lexicon_options
@embedding_options
@scheduler_option
@quiet_option
def features(files, labelled, whole_file, out, table, reading, lexicon, embeddings, scheduler):
    """Show x1..x6 and the matched tokens for each line of FILE (or -), or each row of a table FILE
    (.csv, .tsv, .jsonl, .parquet, maybe .gz). Examples:

    \b
    echo "I loved it, no regrets!" | sentclf features - --jsonl
    sentclf features reviews.parquet --id-col review_id -o features.parquet

    With --embeddings SOURCE each document also gets its pooled vector(s) and its tokens without one.
    """
    from sentclf.classify.featuredump import features as run_features
    from sentclf.cli import render, render_features

    embeddings = EmbeddingConfig(embeddings.source, embeddings.fmt, embeddings.pool, embeddings.keep_vectors)
    config = FeaturesConfig(
        files=tuple(files) if labelled else _need_files(files),
        whole_file=whole_file,
        encoding=reading["encoding"],
        lexicon=lexicon,
        embeddings=embeddings,
        labelled=DataConfig(labelled, **reading) if labelled else None,
        text_col=reading["text_col"],
        id_col=table["id_col"],
        keep_cols=table["keep_cols"],
    )
    address = None if labelled else cluster_address(scheduler, table["output"])
    if address:
        from sentclf.classify.cluster import features_on_cluster

        done = features_on_cluster(config, address, table["output"], table["force"])
        log.info(
            "wrote the features of %s document(s) to %s: %d partition(s) on %d worker(s)",
            f"{done['rows']:,}",
            done["path"],
            done["partitions"],
            done["workers"],
        )
        return
    if labelled:
        result = run_features(config)
        click.echo(json.dumps(result, indent=2) if out in ("json", "jsonl") else render_features.means_table(result))
        return
    with VectorsProgress(embeddings.source) as progress:
        rows = run_features(config, progress)
        first = next(rows, None)
    rows = itertools.chain([first] if first else [], rows)
    if table["output"]:
        from sentclf.classify.featuredump import flat_row
        from sentclf.sinks import write_rows

        written = write_rows(rows, table["output"], table["force"], inputs=config.files, flat=flat_row)
        log.info("wrote the features of %s document(s) to %s", f"{written['rows']:,}", written["path"])
        return
    if out is None:
        click.echo(render_features.feature_header(embeddings=embeddings.source is not None))
    elif out == "csv" and first is not None:
        click.echo(render.csv_line(render_features.feature_csv_header(first)))
    for row in rows:
        if out in ("jsonl", "json"):
            click.echo(render.json_line(render_features.feature_json(row)))
        else:
            click.echo(
                render.csv_line(render_features.feature_csv(row))
                if out == "csv"
                else render_features.feature_row_table(row)
            )


@click.command(context_settings=CONTEXT)
@click.argument("text")
@model_path_option
@trust_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as one JSON object.")
@quiet_option
def explain(text, model_path, trusted, as_json):
    """Show z = w·x + b of the logistic regression for TEXT (- reads stdin as one document). Example:

    sentclf explain "It's hokey, but the cast is great."
    """
    from sentclf.classify.explain import explain as run_explain
    from sentclf.cli.render import explain_table
    from sentclf.data.documents import iter_documents

    if text == "-":
        text = next(iter_documents(["-"], whole_file=True)).text
    result = run_explain(ExplainConfig(text=text, model_path=model_path, trusted=trusted))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else explain_table(result))
