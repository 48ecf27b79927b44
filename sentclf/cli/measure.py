"""``sentclf compare`` and ``sentclf evaluate``: measuring models on labelled data."""

from __future__ import annotations

import contextlib
import json
import tempfile

import click

from sentclf.classify.config import parse_list
from sentclf.classify.features import describe as describe_blocks
from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.bars import VectorsProgress
from sentclf.cli.model_options import (
    OPTIMIZE_OPTION,
    embedding_options,
    ensemble_options,
    lexicon_options,
    model_options,
)
from sentclf.cli.options import (
    compare_scheduler_option,
    data_options,
    echo_plots,
    model_file_options,
    plot_option,
    quiet_option,
)

HTML_OPTION = click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also write the report as one self-contained HTML file (tables, pictures embedded).",
)
FORCE_OPTION = click.option("--force", is_flag=True, help="With --html: overwrite an existing file.")


@contextlib.contextmanager
def pictures_for(html_path, plot_dir):
    """The folder the pictures go to: --plot's, or a temporary one when only the HTML report wants them."""
    if html_path is None or plot_dir is not None:
        yield plot_dir
        return
    with tempfile.TemporaryDirectory(prefix="sentclf-report-") as folder:
        yield folder


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("data", required=False)
@click.option("--cv", type=int, default=10, show_default=True, help="Number of stratified folds.")
@click.option(
    "--models",
    default="lr,mlp",
    show_default=True,
    help="Models to compare, comma-separated: lr, mlp, nb (with --features ngrams), ft (the fine-tuned "
    "encoder), ensemble, student (distilled from the ensemble inside each training fold: the ensemble "
    "labels the fold's texts and their augmented variants; slow).",
)
@click.option(
    "--features",
    "feature_sets",
    metavar="SETS",
    help="Feature sets, comma-separated; each joins blocks with '+' (default: six, six+ngrams, ngrams; "
    f"with --embeddings also six+emb, emb). Blocks: {describe_blocks()}.",
)
@click.option("--jobs", type=int, default=1, show_default=True, help="Folds run in parallel (-1: every core).")
@click.option("--learning-curve", is_flag=True, help="Also accuracy against training-set size.")
@compare_scheduler_option
@model_options
@click.option("--json", "out", flag_value="json", help="One JSON object with every fold's scores.")
@click.option("--markdown", "out", flag_value="markdown", help="Tables in Markdown.")
@plot_option
@HTML_OPTION
@FORCE_OPTION
@data_options("data")
@lexicon_options
@embedding_options
@OPTIMIZE_OPTION
@ensemble_options
@quiet_option
def compare(
    cv,
    models,
    feature_sets,
    jobs,
    learning_curve,
    scheduler,
    model,
    out,
    plot_dir,
    html_path,
    force,
    data,
    lexicon,
    embeddings,
    optimize,
    ensemble,
):
    """Cross-validate LR vs the MLP on several feature sets, with reference rows and significance. Example:

    sentclf compare reviews.csv --cv 10 --features six,six+ngrams --jobs 2 --markdown
    """
    from sentclf.classify.comparison import compare as run_compare
    from sentclf.classify.config import CompareConfig
    from sentclf.cli.render import compare_text
    from sentclf.html import report as html_report

    if html_path:
        html_report.check(html_path, force, inputs=(data.path,))
    with pictures_for(html_path, plot_dir) as pictures:
        config = CompareConfig(
            data=data,
            cv=cv,
            models=parse_list(models),
            jobs=jobs,
            features=parse_list(feature_sets) or None,
            learning_curve=learning_curve,
            lexicon=lexicon,
            model=model,
            embeddings=embeddings,
            plot_dir=pictures,
            optimize=optimize,
            ensemble=ensemble,
            scheduler=scheduler,
        )
        with VectorsProgress(embeddings.source) as progress:
            report = run_compare(config, progress)
        if html_path:
            from sentclf.cli.render_html import compare_html

            html_report.write(html_path, compare_html(report), force, inputs=(data.path,))
    if plot_dir is None:
        report["plots"] = []
    click.echo(json.dumps(report, indent=2) if out == "json" else compare_text(report, out == "markdown"))
    if out != "json":
        echo_plots(report)
    if html_path:
        click.echo(f"report: {html_path}", err=True)


ADAPT_PRIORS_HELP = (
    "Correct the probabilities to the class priors that EM estimates on the documents scored (Saerens et al. "
    "2002; no labels used): for data whose classes are mixed unlike the training data's."
)


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("data")
@model_file_options
@click.option("--label-map", help="Rename DATA's labels to the model's: pos=positive,neg=negative.")
@click.option(
    "--restrict",
    is_flag=True,
    help="Only DATA's labels compete: a positive/neutral/negative model on pos/neg data picks the likelier of two.",
)
@click.option("--adapt-priors", is_flag=True, help=ADAPT_PRIORS_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@plot_option
@HTML_OPTION
@FORCE_OPTION
@click.option(
    "--errors",
    type=int,
    default=None,
    metavar="N",
    help="Keep the best model's N most confident errors, each explained word by word (default with --html: 10).",
)
@data_options("data")
@quiet_option
def evaluate(model_source, label_map, restrict, adapt_priors, as_json, plot_dir, html_path, force, errors, data):
    """Score a model file's models on labelled DATA (any format train reads). Example:

        sentclf evaluate test.csv -m reviews.sentclf --label-map 1=pos,0=neg

    Accuracy with a 95% Wilson interval, macro-F1, per-class precision/recall/F1/support, log loss,
    Brier score, confusion matrices, and McNemar's test of LR vs MLP on the same documents.
    """
    from sentclf.classify.config import EvaluateConfig
    from sentclf.classify.evaluation import evaluate as run_evaluate
    from sentclf.cli.render import evaluate_text
    from sentclf.html import report as html_report

    inputs = (data.path, model_source.path)
    if html_path:
        html_report.check(html_path, force, inputs=inputs)
    kept = errors if errors is not None else (10 if html_path else 0)
    with pictures_for(html_path, plot_dir) as pictures:
        config = EvaluateConfig(data, model_source, label_map, pictures, restrict, adapt_priors, kept)
        report = run_evaluate(config)
        if html_path:
            from sentclf.cli.render_html import evaluate_html

            html_report.write(html_path, evaluate_html(report), force, inputs=inputs)
    if plot_dir is None:
        report["plots"] = []
    click.echo(json.dumps(report, indent=2) if as_json else evaluate_text(report))
    if not as_json:
        echo_plots(report)
    if html_path:
        click.echo(f"report: {html_path}", err=True)
