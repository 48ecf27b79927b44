"""``sentclf predict``, ``sentclf features`` and ``sentclf explain``: scoring documents one by one."""

from __future__ import annotations

import json
import sys

import click

from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.bars import VectorsProgress
from sentclf.cli.model_options import dump_embedding_options, lexicon_options
from sentclf.cli.options import (
    INPUT_OPTIONS,
    build_inputs,
    input_options,
    model_source_options,
    output_options,
    quiet_option,
    refuse,
)
from sentclf.data.readers import FORMATS


def input_options_for_features(func):
    """FILES and how to read them, handed to the command as they are: with --labels, some of them read DATA."""
    for option in reversed(INPUT_OPTIONS):
        func = option(func)
    return func


@click.command(cls=Command, context_settings=CONTEXT)
@input_options
@model_source_options
@output_options
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
@click.option(
    "--adapt-priors",
    is_flag=True,
    help="Correct each batch's probabilities to the class priors that EM estimates on it (Saerens et al. 2002; "
    "no labels used): for data whose classes are mixed unlike the training data's.",
)
@click.option(
    "--jobs",
    type=int,
    default=None,
    metavar="N",
    help="Processes that tokenize and score an input longer than a few batches (-1: one per core). Default: "
    "one per core for a distilled student, whose scoring is Python-bound; 1 for the others.",
)
@quiet_option
def predict(inputs, model_source, output, min_confidence, neutral_band, adapt_priors, jobs):
    """Label each line of FILE (or each FILE with --whole-file), or each row of a table FILE (.csv,
    .tsv, .jsonl, .parquet, maybe .gz); - reads stdin. Examples:

    \b
    sentclf predict reviews.txt --jsonl
    sentclf predict reviews.csv.gz --id-col review_id -o scored.parquet
    """
    from sentclf.classify.config import PredictConfig
    from sentclf.classify.prediction import predict as run_predict
    from sentclf.cli.render import log_scoring

    config = PredictConfig(
        inputs,
        model_source,
        output,
        min_confidence=min_confidence,
        neutral_band=neutral_band,
        adapt_priors=adapt_priors,
        jobs=jobs,
    )
    report = run_predict(config, sys.stdout)
    log_scoring(report, "prediction(s)", inputs.encoding)


@click.command(cls=Command, context_settings=CONTEXT)
@click.option(
    "--labels", "labelled", metavar="DATA", help="A labelled DATA file: print per-class means of x1..x6 instead."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="With --labels: DATA's format (default: detected).")
@click.option("--label-col", help="With --labels: the column (or JSON key) holding DATA's label.")
@click.option("--json", "as_json", is_flag=True, help="With --labels: the means as one JSON object.")
@input_options_for_features
@output_options
@lexicon_options
@dump_embedding_options
@quiet_option
def features(
    labelled,
    fmt,
    label_col,
    as_json,
    files,
    whole_file,
    encoding,
    skip_bad,
    text_col,
    id_col,
    keep_cols,
    output,
    lexicon,
    embeddings,
):
    """Show x1..x6 and the matched tokens for each line of FILE (or -), or each row of a table FILE
    (.csv, .tsv, .jsonl, .parquet, maybe .gz). Examples:

    \b
    echo "I loved it, no regrets!" | sentclf features - --jsonl
    sentclf features reviews.parquet --id-col review_id -o features.parquet
    sentclf features --labels reviews.csv

    With --embeddings SOURCE each document also gets its pooled vector(s) and its tokens without one.
    """
    from sentclf.classify.config import FeatureMeansConfig, FeaturesConfig
    from sentclf.classify.featuredump import feature_means
    from sentclf.classify.featuredump import features as run_features
    from sentclf.cli.render import log_scoring
    from sentclf.cli.render_features import means_table
    from sentclf.data.source import DataConfig

    if labelled:
        if files:
            raise click.UsageError("--labels reads DATA, not FILE: drop FILE, or drop --labels")
        refuse(DUMP_ONLY, "is an option of the feature dump, not of --labels: drop it")
        means = FeatureMeansConfig(DataConfig(labelled, fmt, text_col, label_col, encoding, skip_bad), lexicon)
        result = feature_means(means)
        click.echo(json.dumps(result, indent=2) if as_json else means_table(result))
        return
    refuse(
        [("fmt", "--format"), ("label_col", "--label-col"), ("as_json", "--json")],
        "is an option of --labels: add --labels DATA (the dump's own format is --jsonl or --csv)",
    )
    inputs = build_inputs(files, whole_file, encoding, skip_bad, text_col, id_col, keep_cols)
    config = FeaturesConfig(inputs, lexicon, embeddings, output)
    with VectorsProgress(embeddings.source) as progress:
        report = run_features(config, sys.stdout, progress)
    log_scoring(report, "feature row(s)", encoding)


DUMP_ONLY = [
    ("whole_file", "--whole-file"),
    ("id_col", "--id-col"),
    ("keep_cols", "--keep-cols"),
    ("jsonl", "--jsonl"),
    ("csv", "--csv"),
    ("output", "-o"),
    ("emb_source", "--embeddings"),
    ("pool", "--pool"),
]


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("text")
@model_source_options
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as one JSON object.")
@quiet_option
def explain(text, model_source, as_json):
    """Show why a model labels TEXT as it does (- reads stdin as one document): z = w·x + b for a
    linear model, each member for an ensemble, occlusion for an MLP. Example:

    sentclf explain "It's hokey, but the cast is great."
    """
    from sentclf.classify.config import ExplainConfig
    from sentclf.classify.explain import explain as run_explain
    from sentclf.cli.render import explain_table
    from sentclf.data.documents import iter_documents

    if text == "-":
        text = next(iter_documents(["-"], whole_file=True)).text
    result = run_explain(ExplainConfig(text=text, model=model_source))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else explain_table(result))
