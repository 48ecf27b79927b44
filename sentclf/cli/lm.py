"""``sentclf lm``: train the feedforward neural language model, measure it, query it, export it."""

from __future__ import annotations

import json
import sys

import click

from sentclf.cli.app import CONTEXT, Group
from sentclf.cli.bars import EpochBars
from sentclf.cli.options import quiet_option, text_options
from sentclf.lm.config import LM_ACTIVATIONS, LOSSES, OPTIMIZERS, LMConfig


@click.group(cls=Group, context_settings=CONTEXT)
def lm():
    """The lecture's feedforward neural language model: train it on any text, query it, export its
    word embeddings for --embeddings. Example:

    \b
        sentclf lm train reviews.txt -o reviews.lm
        sentclf lm next reviews.lm "I forgot to make sure that the dog gets"
        sentclf lm export reviews.lm vectors.txt && sentclf train --embeddings vectors.txt
    """


@lm.command("train", context_settings=CONTEXT)
@click.argument("text", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="lm.sentclf",
    show_default=True,
    help="Where to save the language model.",
)
@click.option("--window", type=int, default=3, show_default=True, help="Previous words the model sees (N - 1).")
@click.option("--dim", type=int, default=50, show_default=True, help="Embedding size d.")
@click.option("--hidden", type=int, default=100, show_default=True, help="Hidden units.")
@click.option("--activation", type=click.Choice(LM_ACTIVATIONS), default="relu", show_default=True)
@click.option("--epochs", type=int, default=10, show_default=True, help="At most this many passes.")
@click.option(
    "--batch-size",
    type=int,
    default=None,
    help="Tokens a step [default: 512, or fewer on text under 16k tokens, so an epoch takes at least 32 steps].",
)
@click.option("--lr", type=float, default=None, help="Learning rate [default: 0.002 Adam, 0.1 SGD].")
@click.option(
    "--optimizer",
    type=click.Choice(OPTIMIZERS),
    default="adam",
    show_default=True,
    help="Adam, or SGD with momentum 0.9.",
)
@click.option("--dropout", type=float, default=0.0, show_default=True, help="Dropout on embeddings and hidden units.")
@click.option(
    "--tie",
    is_flag=True,
    help="Score words through E (z = h P E^T + c) instead of a separate U: "
    "fewer weights, faster, lower perplexity on small text.",
)
@click.option(
    "--loss",
    type=click.Choice(LOSSES),
    default="full",
    show_default=True,
    help="Training loss: the full softmax, or a sampled softmax over --samples words a batch (for large "
    "vocabularies; the model and its perplexity stay exact full-softmax ones).",
)
@click.option("--samples", type=int, default=1024, show_default=True, help="Words drawn a batch for --loss sampled.")
@click.option("--min-count", type=int, default=2, show_default=True, help="Rarer words become <unk>.")
@click.option(
    "--max-vocab", type=int, default=20000, show_default=True, help="Vocabulary size cap (with <unk> <s> </s>)."
)
@click.option(
    "--holdout",
    type=float,
    default=0.1,
    show_default=True,
    help="Share of documents held out for early stopping and the reported perplexity (at most 1M words).",
)
@click.option(
    "--patience",
    type=int,
    default=3,
    show_default=True,
    help="Stop after this many epochs without a better held-out perplexity (each halves the step).",
)
@click.option("--ngram-order", type=int, default=3, show_default=True, help="Order of the Kneser-Ney baseline.")
@click.option("--no-baseline", is_flag=True, help="Skip the Kneser-Ney baseline.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@text_options
@quiet_option
def lm_train(output, source, no_baseline, force, as_json, **options):
    """Train the feedforward neural LM on TEXT (files with one document per line, datasets, - for stdin;
    none: the default corpus). Ctrl-C stops and keeps the best model so far. Example:

        sentclf lm train reviews.txt --window 3 --dim 50 --hidden 100 -o reviews.lm
    """
    from sentclf.cli.options import refuse
    from sentclf.cli.render_lm import lm_train_text
    from sentclf.lm.training import LMTrainConfig, train_lm

    if options["loss"] != "sampled":
        refuse([("samples", "--samples")], "is an option of --loss sampled: add --loss sampled, or drop it")
    if no_baseline:
        refuse([("ngram_order", "--ngram-order")], "sets the Kneser-Ney baseline, and --no-baseline skips it: drop one")

    config = LMTrainConfig(
        model=LMConfig(**options),
        source=source,
        output=output,
        force=force,
        baseline=not no_baseline,
    )
    with EpochBars() as progress:
        report = train_lm(config, progress=progress).as_dict()
    click.echo(json.dumps(report, indent=2) if as_json else lm_train_text(report))
    if report["interrupted"]:
        click.echo(
            f"Interrupted: {output} holds the best model so far (epoch {report['metrics']['best_epoch']}).", err=True
        )
        sys.exit(130)


@lm.command("perplexity", context_settings=CONTEXT)
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("text", nargs=-1, required=True)
@click.option("--no-baseline", is_flag=True, help="Skip the Kneser-Ney baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@text_options
@quiet_option
def lm_perplexity(model, source, no_baseline, as_json):
    """Perplexity of MODEL on TEXT, next to a Kneser-Ney n-gram model refitted to MODEL's training text
    with the same vocabulary. Example:

        sentclf lm perplexity reviews.lm held-out.txt
    """
    from sentclf.cli.render_lm import lm_perplexity_text
    from sentclf.lm.queries import PerplexityConfig, perplexity_report

    report = perplexity_report(PerplexityConfig(model, source, not no_baseline))
    window = report.pop("window")
    click.echo(json.dumps(report, indent=2) if as_json else lm_perplexity_text(report, window))


def lm_query_options(func):
    """MODEL, then one more argument, -k and --json: what next and neighbors share."""
    for option in reversed(
        [
            click.argument("model", type=click.Path(dir_okay=False)),
            click.argument("query"),
            click.option("-k", "--top", "k", type=click.IntRange(1), default=10, show_default=True),
            click.option("--json", "as_json", is_flag=True, help="Print the words as JSON."),
        ]
    ):
        func = option(func)
    return func


def _echo_words(rows: list, key: str, as_json: bool) -> None:
    from sentclf.cli.render_lm import lm_words_table

    click.echo(json.dumps(rows, indent=2) if as_json else lm_words_table(rows, key))


@lm.command("next", context_settings=CONTEXT)
@lm_query_options
@click.option(
    "--no-mix",
    is_flag=True,
    help="The network's own probabilities, not its mixture with Kneser-Ney (which files trained with a "
    "held-out part carry).",
)
def lm_next(model, query, k, as_json, no_mix):
    """The K likeliest next words after the text QUERY, with probabilities. Example:

    sentclf lm next reviews.lm "I forgot to make sure that the dog gets" -k 5
    """
    from sentclf.lm.queries import QueryConfig, next_words

    _echo_words(next_words(QueryConfig(model, query, k, mix=not no_mix)), "probability", as_json)


@lm.command("neighbors", context_settings=CONTEXT)
@lm_query_options
def lm_neighbors(model, query, k, as_json):
    """The K nearest words to the word QUERY by cosine similarity of the learned embeddings. Example:

    sentclf lm neighbors reviews.lm good
    """
    from sentclf.lm.queries import QueryConfig, neighbors

    _echo_words(neighbors(QueryConfig(model, query, k)), "cosine", as_json)


@lm.command("export", context_settings=CONTEXT)
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--specials", is_flag=True, help="Also write <unk>, <s> and </s>.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def lm_export(model, output, specials, force):
    """Write MODEL's embeddings in word2vec text format, which --embeddings reads. Example:

    sentclf lm export reviews.lm vectors.txt && sentclf train data.csv --embeddings vectors.txt
    """
    from sentclf.lm.queries import ExportConfig, export_vectors

    result = export_vectors(ExportConfig(model, output, force=force, specials=specials))
    click.echo(f"{result['path']}: {result['words']:,} words, {result['dim']} dimensions (word2vec text)")
