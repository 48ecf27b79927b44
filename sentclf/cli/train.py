"""``sentclf train``."""

from __future__ import annotations

import click

from sentclf.classify.features import describe as describe_blocks
from sentclf.classify.models.spec import CALIBRATIONS
from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.bars import VectorsProgress
from sentclf.cli.model_options import (
    OPTIMIZE_OPTION,
    embedding_options,
    ensemble_options,
    lexicon_options,
    model_options,
    stream_options,
)
from sentclf.cli.options import (
    data_options,
    echo_json,
    echo_plots,
    given,
    plot_option,
    quiet_option,
)

MODEL_CHOICES = {
    "lr": ("lr",),
    "mlp": ("mlp",),
    "nb": ("nb",),
    "ft": ("ft",),
    "both": ("lr", "mlp"),
    "ensemble": ("ensemble",),
}


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("data", required=False)
@click.option("-o", "--output", "--model-path", "output", type=click.Path(), help="Where to save the model file.")
@click.option(
    "--model",
    "which",
    type=click.Choice(list(MODEL_CHOICES)),
    default="both",
    show_default=True,
    help="Which models to train (nb: multinomial naive Bayes, with --features ngrams; ft: the sentence encoder "
    "fine-tuned, see --tune-layers; ensemble: see --members).",
)
@click.option(
    "--features",
    "feature_set",
    metavar="SET",
    help=f"Feature blocks joined with '+' (default: six, or as --embeddings says). {describe_blocks()}.",
)
@click.option("--test-size", type=float, default=0.2, show_default=True, help="Held-out fraction (stratified).")
@click.option(
    "--calibrate",
    type=click.Choice(CALIBRATIONS),
    default="none",
    show_default=True,
    help="Calibrate the probabilities (sigmoid: Platt scaling; isotonic) on 5-fold out-of-fold predictions.",
)
@click.option(
    "--min-label-confidence",
    type=float,
    default=0.0,
    metavar="C",
    help="Train only on rows whose label confidence is at least C (the default corpus records its annotators' "
    "agreement); the held-out part keeps every row.",
)
@click.option(
    "--jobs",
    type=int,
    default=-1,
    show_default=True,
    help="Threads that fit an ensemble's pipelines (-1: every core).",
)
@stream_options
@model_options
@click.option(
    "--distill",
    "distill",
    is_flag=True,
    help="Then distil the trained model into a fast student, written beside it as NAME.student.sentclf "
    "(as `sentclf distill` does; see --unlabeled).",
)
@click.option(
    "--unlabeled",
    "unlabeled",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="With --distill: unlabeled texts for the teacher to label (a text file, one per line, or a table "
    "with a 'text' column; repeatable).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing model file (and student).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@plot_option
@data_options("data")
@lexicon_options
@embedding_options
@OPTIMIZE_OPTION
@ensemble_options
@quiet_option
def train(
    output,
    which,
    feature_set,
    test_size,
    calibrate,
    min_label_confidence,
    jobs,
    stream,
    model,
    distill,
    unlabeled,
    force,
    as_json,
    plot_dir,
    data,
    lexicon,
    embeddings,
    optimize,
    ensemble,
):
    """Train logistic regression and the MLP on DATA and compare them on a held-out split.

    DATA is a CSV/TSV/JSONL/fastText/Parquet file, a folder with one sub-folder per label, or - for
    stdin; without DATA the default corpus (37k labelled tweets) is used. Example:

        sentclf train reviews.csv -o reviews.sentclf --model both
        sentclf train huge.csv.gz --stream --features six+hashed --model lr --epochs 2

    With --embeddings SOURCE the mean/max-pooled word vectors are appended after x1..x6.
    --optimize accuracy trains the ensemble of NB-weighted n-grams, sentence vectors and TF-IDF
    n-grams instead (it needs 'make minilm'); with --distill its fast student is written beside it.
    """
    from sentclf.classify.config import TrainConfig
    from sentclf.classify.training import train as run_train
    from sentclf.cli.render import train_table

    config = TrainConfig(
        data=data,
        models=MODEL_CHOICES[which] if given("which") else None,
        test_size=test_size,
        lexicon=lexicon,
        model=model,
        embeddings=embeddings,
        features=feature_set,
        output=output,
        force=force,
        plot_dir=plot_dir,
        optimize=optimize,
        ensemble=ensemble,
        calibrate=calibrate,
        min_label_confidence=min_label_confidence,
        jobs=jobs,
        stream=stream,
    )
    if unlabeled and not distill:
        raise click.UsageError("--unlabeled gives the student texts: add --distill")
    if distill:
        from sentclf.classify.distillation import train_and_distill
        from sentclf.cli.render_distill import distill_table
        from sentclf.data.inputs import Inputs

        with VectorsProgress(embeddings.source) as progress:
            trained, student = train_and_distill(config, Inputs(files=unlabeled) if unlabeled else None, progress)
        report, distilled = trained.as_dict(), student.as_dict()
        if as_json:
            echo_json({**report, "student": distilled})
        else:
            click.echo(train_table(report))
            click.echo("")
            click.echo(distill_table(distilled))
            echo_plots(report)
        return
    with VectorsProgress(embeddings.source) as progress:
        report = run_train(config, progress=progress).as_dict()
    if as_json:
        echo_json(report)
    else:
        click.echo(train_table(report))
        echo_plots(report)
