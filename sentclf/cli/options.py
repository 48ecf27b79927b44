"""Option groups that several commands share. Each group is a decorator that adds its options and
hands the command one built object instead of a handful of values: ``reading`` (how to read DATA),
``lexicon`` (a LexiconConfig), ``model`` (a ModelConfig), ``embeddings`` (an EmbeddingConfig),
``text_reading`` (how the LM reads text)."""

from __future__ import annotations

import functools
import inspect
import json

import click

from sentclf.classify.config import (
    ACCURACY_MEMBERS,
    DEFAULT_KEEP,
    ENSEMBLE_METHODS,
    LEXICON_NAMES,
    MINILM,
    MLP_ACTIVATIONS,
    OPTIMIZE,
    VECTOR_FORMATS,
    EmbeddingConfig,
    EnsembleConfig,
    LexiconConfig,
    ModelConfig,
    parse_list,
)
from sentclf.cli.app import setup_logging
from sentclf.data.readers import FORMATS
from sentclf.data.source import TEXT_FORMATS


def option_group(name: str, options: list, build):
    """A decorator adding ``options``; the command receives ``name=build(**their values)``."""
    keys = list(inspect.signature(build).parameters)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            kwargs[name] = build(**{key: kwargs.pop(key) for key in keys})
            return func(*args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorator


def _quiet_callback(ctx, param, value):
    if value:
        setup_logging(quiet=True)
    return value


quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_quiet_callback,
    help="Only results on stdout; no progress or info on stderr.",
)

plot_option = click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Also write PNG pictures into DIR and print their paths.",
)

model_path_option = click.option(
    "-m",
    "--model-path",
    type=click.Path(),
    default=None,
    help="Model file (default: $SENTCLF_MODEL, else ~/.local/share/sentclf/model.sentclf). Loading it runs no "
    "code: a file that refers to anything but the classes sentclf's models are made of is refused.",
)

trust_option = click.option(
    "--trust-model",
    "trusted",
    is_flag=True,
    help="Load the model file without that check (it can then run any code): only for files you made.",
)


def _reading(fmt, text_col, label_col, encoding, skip_bad) -> dict:
    return {"fmt": fmt, "text_col": text_col, "label_col": label_col, "encoding": encoding, "skip_bad": skip_bad}


data_options = option_group(
    "reading",
    [
        click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: detected)."),
        click.option("--text-col", help="Column (or JSON key) holding the text."),
        click.option("--label-col", help="Column (or JSON key) holding the label."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
        click.option("--skip-bad", is_flag=True, help="Skip rows without text or label (and count them)."),
    ],
    _reading,
)


TEXT_COL_OPTION = click.option(
    "--text-col", help="Tables (.csv, .tsv, .jsonl, .parquet, maybe .gz): the text column (default: text)."
)
TABLE_OPTIONS = [
    click.option("--id-col", help="Tables: the id column carried to the output (default: 'id' when there is one)."),
    click.option("--keep-cols", metavar="A,B", help="Tables: more columns carried to the output."),
    click.option(
        "-o",
        "--output",
        type=click.Path(),
        help="Write the rows to this file instead of stdout: .jsonl, .csv or .parquet (by extension).",
    ),
    click.option("--force", is_flag=True, help="With -o: overwrite an existing file."),
]


def _table(text_col, id_col, keep_cols, output, force) -> dict:
    return {
        "text_col": text_col,
        "id_col": id_col,
        "keep_cols": parse_list(keep_cols),
        "output": output,
        "force": force,
    }


def _table_without_text(id_col, keep_cols, output, force) -> dict:
    return _table(None, id_col, keep_cols, output, force)


# tables in, flat files out: the command receives table={"text_col", "id_col", "keep_cols", "output", "force"}
table_options = option_group("table", [TEXT_COL_OPTION, *TABLE_OPTIONS], _table)
# the same where --text-col already comes with data_options (its value is then in reading["text_col"])
table_options_without_text = option_group("table", TABLE_OPTIONS, _table_without_text)


def _scheduler(ctx, param, value):
    """The --scheduler address; one from $SENTCLF_SCHEDULER counts only where -o is given."""
    if value and ctx.get_parameter_source(param.name) == click.core.ParameterSource.ENVIRONMENT:
        return ("env", value)
    return ("option", value) if value else None


SCHEDULER_HELP = (
    "Run on Dask (pip install 'sentclf[dask]'): 'local' starts a cluster of one worker process per core "
    "('local:N': N of them); tcp://HOST:8786 uses a running one"
)
scheduler_option = click.option(
    "--scheduler",
    envvar="SENTCLF_SCHEDULER",
    metavar="ADDRESS",
    callback=_scheduler,
    help=f"{SCHEDULER_HELP} (default: $SENTCLF_SCHEDULER, when -o is given). Writes a Parquet dataset to -o.",
)
compare_scheduler_option = click.option(
    "--scheduler",
    envvar="SENTCLF_SCHEDULER",
    metavar="ADDRESS",
    callback=_scheduler,
    help=f"{SCHEDULER_HELP} (default: $SENTCLF_SCHEDULER). The folds run there; results equal --jobs 1.",
)


def cluster_address(scheduler, output) -> str | None:
    """Where to run: the --scheduler address, or $SENTCLF_SCHEDULER's when the output goes to a file."""
    if scheduler is None:
        return None
    source, address = scheduler
    if not output:
        if source == "env":
            return None  # stdout: run here, as without a cluster
        raise click.UsageError("--scheduler writes a Parquet dataset: pass -o PATH.parquet")
    return address


def _lexicon(lexicon_name, lexicon_dir) -> LexiconConfig:
    return LexiconConfig(lexicon_name, lexicon_dir)


lexicon_options = option_group(
    "lexicon",
    [
        click.option(
            "--lexicon",
            "lexicon_name",
            type=click.Choice(LEXICON_NAMES),
            default="builtin",
            show_default=True,
            help="Base lexicon: built-in (VADER-derived) or Hu & Liu via NLTK.",
        ),
        click.option(
            "--lexicon-dir",
            type=click.Path(),
            default=None,
            help="Folder whose positive.txt / negative.txt / pronouns.txt replace the built-in lists.",
        ),
    ],
    _lexicon,
)


def _model(hidden, activation, lr_c, alpha) -> ModelConfig:
    return ModelConfig(hidden=hidden, activation=activation, c=lr_c, alpha=alpha)


model_options = option_group(
    "model",
    [
        click.option("--hidden", type=int, default=100, show_default=True, help="Hidden units of the MLP."),
        click.option(
            "--activation",
            type=click.Choice(MLP_ACTIVATIONS),
            default="relu",
            show_default=True,
            help="The MLP's hidden activation.",
        ),
        click.option(
            "--lr-c",
            type=float,
            default=None,
            help="Inverse L2 strength of the logistic regression (smaller: more regularized) "
            "[default: 1.0; 4.0 on n-grams alone].",
        ),
        click.option("--alpha", type=float, default=1e-4, show_default=True, help="L2 penalty of the MLP's weights."),
    ],
    _model,
)


def _embeddings(emb_source, emb_format, pool, keep_vectors, no_lexicon_features) -> EmbeddingConfig:
    return EmbeddingConfig(
        source=emb_source,
        fmt=emb_format,
        pool=pool,
        keep_vectors=keep_vectors,
        lexicon_features=not no_lexicon_features,
    )


embedding_options = option_group(
    "embeddings",
    [
        click.option(
            "--embeddings",
            "emb_source",
            metavar="SOURCE",
            help=f"Append pooled word vectors: a GloVe/word2vec/fastText file (.gz/.bz2 too) or '{MINILM}'.",
        ),
        click.option(
            "--embeddings-format",
            "emb_format",
            type=click.Choice(VECTOR_FORMATS),
            help="Vectors file format (default: detected).",
        ),
        click.option("--pool", default="mean,max", show_default=True, help="Pooling: mean, max or mean,max."),
        click.option(
            "--keep-vectors",
            type=int,
            default=DEFAULT_KEEP,
            show_default=True,
            help="Besides the training vocabulary, keep this many most frequent vectors in the model.",
        ),
        click.option("--no-lexicon-features", is_flag=True, help="Drop x1..x6: embeddings alone."),
    ],
    _embeddings,
)


def _text_reading(fmt, text_col, label_col, encoding) -> dict:
    return {"fmt": fmt, "text_col": text_col, "label_col": label_col, "encoding": encoding}


text_options = option_group(
    "text_reading",
    [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(TEXT_FORMATS),
            help="'lines': plain text, one document per line; else a dataset format (default: by extension).",
        ),
        click.option("--text-col", help="Column (or JSON key) holding the text, for datasets."),
        click.option("--label-col", help="Column (or JSON key) holding the label (read, then ignored)."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
    ],
    _text_reading,
)


def _ensemble(optimize, members, method) -> tuple:
    return optimize, EnsembleConfig(parse_list(members) or ACCURACY_MEMBERS, method)


ensemble_options = option_group(
    "recipe",
    [
        click.option(
            "--optimize",
            type=click.Choice(OPTIMIZE),
            default="efficiency",
            show_default=True,
            help="efficiency: the lecture's models as chosen; accuracy: the ensemble below (spaCy's convention).",
        ),
        click.option(
            "--members",
            metavar="SET:KIND,...",
            help=f"The ensemble's members, each a feature set and lr or mlp [default: {','.join(ACCURACY_MEMBERS)}].",
        ),
        click.option(
            "--ensemble",
            "method",
            type=click.Choice(ENSEMBLE_METHODS),
            default="stack",
            show_default=True,
            help="stack: a logistic regression on the members' out-of-fold probabilities; soft: their average.",
        ),
    ],
    _ensemble,
)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, indent=2))


def echo_plots(report: dict) -> None:
    for path in report.get("plots", []):
        click.echo(f"plot: {path}")
