"""Option groups that several commands share, for what they read and write (those that shape a model
are in :mod:`.model_options`). Each group is a decorator that adds its options and hands the command
one built config object instead of a handful of values: ``data`` (a DataConfig), ``inputs`` (what
predict and features read), ``output`` (where their rows go), ``model_source`` (which saved model)
and ``source`` (what the LM reads). Two flags of one group that cannot go together are a usage error
here; conflicts between groups are found by the config's ``validate()``."""

from __future__ import annotations

import functools
import inspect
import json

import click
from click.core import ParameterSource

from sentclf.classify.config import ModelSource, OutputConfig, parse_list
from sentclf.classify.models.spec import MODEL_KINDS
from sentclf.cli.logs import setup_logging
from sentclf.data.inputs import Inputs
from sentclf.data.readers import FORMATS
from sentclf.data.source import TEXT_FORMATS, DataConfig, TextSource
from sentclf.data.tables import Columns


def given(name: str) -> bool:
    """Whether the option (by its parameter name) was given on the command line or by its variable."""
    source = click.get_current_context().get_parameter_source(name)
    return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def option_group(name: str, options: list, build, keys: tuple = ()):
    """A decorator adding ``options``; the command receives ``name=build(**their values)``. ``build``
    takes the values its signature names, or those ``keys`` names (an argument the command declares
    may be among them)."""
    keys = keys or tuple(inspect.signature(build).parameters)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            kwargs[name] = build(**{key: kwargs.pop(key) for key in keys})
            return func(*args, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorator


def one_of(flags: dict) -> str | None:
    """The one flag given among ``{value: given}``; two are a usage error naming both."""
    chosen = [value for value, on in flags.items() if on]
    if len(chosen) > 1:
        raise click.UsageError(f"--{chosen[0]} and --{chosen[1]} cannot go together: choose one output format")
    return chosen[0] if chosen else None


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
    help="Only results on stdout; no progress, info or warnings on stderr (errors still).",
)

plot_option = click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Also write PNG pictures into DIR and print their paths.",
)


def _model_source(model_path, trusted, use) -> ModelSource:
    return ModelSource(model_path, trusted, use)


def _model_file(model_path, trusted) -> ModelSource:
    return ModelSource(model_path, trusted)


MODEL_PATH = click.option(
    "-m",
    "--model-path",
    type=click.Path(),
    default=None,
    help="Model file (default: $SENTCLF_MODEL, else ~/.local/share/sentclf/model.sentclf). Loading it runs no "
    "code: a file that refers to anything but the classes sentclf's models are made of is refused.",
)
TRUST = click.option(
    "--trust-model",
    "trusted",
    is_flag=True,
    help="Load the model file without that check (it can then run any code): only for files you made.",
)
USE = click.option("--use", type=click.Choice(MODEL_KINDS), help="Which of the file's models (default: the best one).")

# -m, --trust-model (and --use): the command receives model_source=ModelSource(...)
model_source_options = option_group("model_source", [MODEL_PATH, TRUST, USE], _model_source)
model_file_options = option_group("model_source", [MODEL_PATH, TRUST], _model_file)


def data_options(argument: str):
    """How to read labelled DATA; the command receives ``data=DataConfig(...)`` (DATA None: the default
    corpus), built from the argument named ``argument``."""

    def build(fmt, text_col, label_col, encoding, skip_bad, **path) -> DataConfig:
        return DataConfig(path[argument], fmt, text_col, label_col, encoding, skip_bad)

    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: detected)."),
        click.option("--text-col", help="Column (or JSON key) holding the text."),
        click.option("--label-col", help="Column (or JSON key) holding the label."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
        click.option("--skip-bad", is_flag=True, help="Skip rows without text or label (and count them)."),
    ]
    return option_group("data", options, build, ("fmt", "text_col", "label_col", "encoding", "skip_bad", argument))


def build_inputs(files, whole_file, encoding, skip_bad, text_col, id_col, keep_cols) -> Inputs:
    if not files:
        raise click.UsageError("give at least one FILE, or - to read standard input")
    return Inputs(
        files=tuple(files),
        whole_file=whole_file,
        encoding=encoding,
        skip_bad=skip_bad,
        columns=Columns(text_col, id_col, parse_list(keep_cols)),
    )


FILES = click.argument("files", nargs=-1)
WHOLE_FILE = click.option("--whole-file", is_flag=True, help="Each FILE is one document (default: one per line).")
ENCODING = click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input.")
SKIP_BAD_LINES = click.option(
    "--skip-bad", is_flag=True, help="Leave out lines that are not valid in --encoding, and count them."
)
TABLE_TEXT = click.option(
    "--text-col", help="Tables (.csv, .tsv, .jsonl, .parquet, maybe .gz): the text column (default: text)."
)
ID_COL = click.option("--id-col", help="Tables: the id column carried to the output (default: 'id' when there is one).")
KEEP_COLS = click.option("--keep-cols", metavar="A,B", help="Tables: more columns carried to the output.")
INPUT_OPTIONS = [FILES, WHOLE_FILE, ENCODING, SKIP_BAD_LINES, TABLE_TEXT, ID_COL, KEEP_COLS]

# FILES and how to read them: the command receives inputs=Inputs(...)
input_options = option_group("inputs", INPUT_OPTIONS, build_inputs)


def refuse(options: list, reason: str) -> None:
    """A usage error if any of ``options`` (parameter name, flag) was given: ``reason`` says why."""
    for name, flag in options:
        if given(name):
            raise click.UsageError(f"{flag} {reason}")


SCHEDULER_HELP = (
    "Run on Dask (pip install 'sentclf[dask]'): 'local' starts a cluster of one worker process per core "
    "('local:N': N of them); tcp://HOST:8786 uses a running one"
)


def output_options(func):
    """--jsonl/--csv (stdout), -o PATH (a file by extension), --force and --scheduler; the command
    receives ``output=OutputConfig(...)``. $SENTCLF_SCHEDULER counts only where -o is given."""

    def build(jsonl, csv, output, force, scheduler) -> OutputConfig:
        fmt = one_of({"jsonl": jsonl, "csv": csv})
        if scheduler and not output and not given_on_command_line("scheduler"):
            scheduler = None  # the variable names a cluster for files; stdout is scored here
        return OutputConfig(path=output, format=fmt, force=force, scheduler=scheduler)

    options = [
        click.option("--jsonl", is_flag=True, help="Print one JSON object per row."),
        click.option("--csv", is_flag=True, help="Print CSV with a header row."),
        click.option(
            "-o",
            "--output",
            type=click.Path(),
            help="Write the rows to this file instead of stdout: .jsonl, .csv or .parquet (by extension).",
        ),
        click.option("--force", is_flag=True, help="With -o: overwrite an existing file."),
        click.option(
            "--scheduler",
            envvar="SENTCLF_SCHEDULER",
            metavar="ADDRESS",
            help=f"{SCHEDULER_HELP} (default: $SENTCLF_SCHEDULER, when -o is given). Writes a Parquet dataset to -o.",
        ),
    ]
    return option_group("output", options, build)(func)


def given_on_command_line(name: str) -> bool:
    return click.get_current_context().get_parameter_source(name) == ParameterSource.COMMANDLINE


compare_scheduler_option = click.option(
    "--scheduler",
    envvar="SENTCLF_SCHEDULER",
    metavar="ADDRESS",
    help=f"{SCHEDULER_HELP} (default: $SENTCLF_SCHEDULER). The folds run there; results equal --jobs 1.",
)


def text_options(func):
    """TEXT... and how to read it; the command receives ``source=TextSource(...)``."""

    def build(text, fmt, text_col, encoding) -> TextSource:
        return TextSource(tuple(text), fmt, text_col, encoding)

    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(TEXT_FORMATS),
            help="'lines': plain text, one document per line; else a dataset format (default: by extension).",
        ),
        click.option("--text-col", help="Tables and datasets: the column (or JSON key) holding the text."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
    ]
    return option_group("source", options, build)(func)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, indent=2))


def echo_plots(report: dict) -> None:
    for path in report.get("plots", []):
        click.echo(f"plot: {path}")
