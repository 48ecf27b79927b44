"""``sentclf distill``."""

from __future__ import annotations

import click

from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.options import echo_json, model_source_options, quiet_option
from sentclf.data.tables import Columns


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("texts", nargs=-1)
@model_source_options
@click.option("-o", "--output", required=True, type=click.Path(), help="Where to save the student's model file.")
@click.option(
    "--data",
    help="Labelled data to distil on (default: the teacher's own training data, split as train split it).",
)
@click.option("--text-col", help="Tables among TEXTS (.csv, .tsv, .jsonl, .parquet): the text column (default: text).")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of TEXTS.")
@click.option(
    "--temperature",
    type=float,
    default=1.0,
    show_default=True,
    help="Soften (>1) or sharpen (<1) the teacher's probabilities before the student learns them.",
)
@click.option(
    "--label-weight",
    type=float,
    default=0.5,
    show_default=True,
    help="Labelled texts learn (1 - W)·teacher + W·their label.",
)
@click.option(
    "--augment",
    type=int,
    metavar="N",
    help="Variants of each labelled text for the teacher to label (masked words, spans) "
    "[default: enough for ten texts per labelled one, TEXTS counted; 0: none].",
)
@click.option(
    "--similar-words",
    type=float,
    default=0.0,
    show_default=True,
    metavar="P",
    help="Augmenting: replace each word with probability P by a neighbour in the static table.",
)
@click.option("--hidden", type=int, default=256, show_default=True, help="The student's hidden units (0: linear).")
@click.option(
    "--epochs",
    type=int,
    default=None,
    help="Passes of the student over the texts (default: as many as make about 2,000 updates, at most 10).",
)
@click.option(
    "--no-static",
    is_flag=True,
    help="Leave out the static table distilled from the sentence encoder (then make minilm is not needed).",
)
@click.option("--test-size", type=float, help="Held-out fraction [default: the teacher's].")
@click.option("--seed", type=int, help="Seeds the split, the augmentation and the student [default: the teacher's].")
@click.option(
    "--max-unlabeled",
    type=int,
    default=1_000_000,
    show_default=True,
    help="Read at most this many unlabeled texts (after deduplication).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Label every text with the teacher again, storing nothing (default: the teacher's probabilities are "
    "kept under $SENTCLF_CACHE/teacher, so the same teacher labels a text once).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing student file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@quiet_option
def distill(
    texts,
    model_source,
    output,
    data,
    text_col,
    encoding,
    temperature,
    label_weight,
    augment,
    similar_words,
    hidden,
    epochs,
    no_static,
    test_size,
    seed,
    max_unlabeled,
    no_cache,
    force,
    as_json,
):
    """Distil the model -m TEACHER into a fast student -o STUDENT: the teacher labels its own
    training texts and TEXTS (unlabeled: text files, one per line, or tables; - is stdin), and the
    student learns its probabilities. Example:

    \b
    sentclf train --optimize accuracy -o teacher.sentclf
    sentclf distill -m teacher.sentclf unlabeled.txt -o student.sentclf
    """
    from sentclf.classify.distill.distill_config import DistillConfig
    from sentclf.classify.distillation import distill as run_distill
    from sentclf.cli.render_distill import distill_table
    from sentclf.data.inputs import Inputs
    from sentclf.data.source import DataConfig

    config = DistillConfig(
        teacher=model_source,
        output=output,
        data=DataConfig(data) if data is not None else None,
        unlabeled=Inputs(files=tuple(texts), encoding=encoding, columns=Columns(text_col)) if texts else None,
        force=force,
        temperature=temperature,
        label_weight=label_weight,
        augment=augment,
        similar_words=similar_words,
        hidden=hidden,
        epochs=epochs,
        static=not no_static,
        test_size=test_size,
        seed=seed,
        max_unlabeled=max_unlabeled,
        cache=not no_cache,
    )
    report = run_distill(config).as_dict()
    if as_json:
        echo_json(report)
    else:
        click.echo(distill_table(report))
