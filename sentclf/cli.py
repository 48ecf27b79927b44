"""The command-line interface: the only module that imports click. Each command parses options,
calls one library function and renders what it returns; SentclfError becomes 'Error: ...', exit 1."""
from __future__ import annotations

import itertools
import json
import logging
import sys
from pathlib import Path

import click

from sentclf import __version__, api, bundle, experiments, lmtools, render
from sentclf import lm as lm_module
from sentclf.compare import CompareConfig
from sentclf.data import FORMATS, iter_documents
from sentclf.errors import SentclfError
from sentclf.explain import explain_text
from sentclf.lexicons import LEXICON_NAMES, load_lexicon
from sentclf.embeddings import DEFAULT_KEEP, MINILM
from sentclf.models import ACTIVATIONS, EmbeddingConfig, ModelConfig
from sentclf.vectors import VECTOR_FORMATS

PROGRESS_MIN_BYTES = 4_000_000  # vectors files larger than this get a progress bar on stderr

OUTPUT_BATCH = 1000  # lines written per call: one click.echo per document costs a quarter of predict's time
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Maps every expected failure to one line on stderr and exit 1 (the one place that does)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SentclfError as exc:
            raise click.ClickException(str(exc)) from None


class _StderrFormatter(logging.Formatter):
    def format(self, record):
        prefix = "Warning: " if record.levelno >= logging.WARNING else ""
        return prefix + record.getMessage()


def _setup_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_StderrFormatter())
    logging.captureWarnings(True)
    logging.getLogger("pooch").setLevel(logging.WARNING if quiet else logging.INFO)
    for name in ("sentclf", "py.warnings"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        logger.propagate = False


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="sentclf")
@click.option("-q", "--quiet", is_flag=True, help="Only results on stdout; no progress or info on stderr.")
def cli(quiet):
    """Sentiment classification with the lecture's six features: logistic regression vs a two-layer MLP.

    \b
    sentclf train                     train both models on the default corpus
    sentclf predict reviews.txt       score one document per line
    sentclf explain "What a great film!"
    """
    _setup_logging(quiet)


def _quiet_callback(ctx, param, value):
    if value:
        _setup_logging(quiet=True)
    return value


quiet_option = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_quiet_callback,
                            help="Only results on stdout; no progress or info on stderr.")


def lexicon_options(func):
    func = click.option("--lexicon-dir", type=click.Path(), default=None,
                        help="Folder whose positive.txt / negative.txt / pronouns.txt replace the built-in lists.")(func)
    return click.option("--lexicon", type=click.Choice(LEXICON_NAMES), default="builtin", show_default=True,
                        help="Base lexicon: built-in (VADER-derived) or Hu & Liu via NLTK.")(func)


def data_options(func):
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice(FORMATS), help="Input format (default: detected)."),
        click.option("--text-col", help="Column (or JSON key) holding the text."),
        click.option("--label-col", help="Column (or JSON key) holding the label."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
        click.option("--skip-bad", is_flag=True, help="Skip rows without text or label (and count them)."),
    ]):
        func = option(func)
    return func


def model_options(func):
    """--hidden, --activation, --lr-c, --alpha: what shapes the two classifiers."""
    for option in reversed([
        click.option("--hidden", type=int, default=100, show_default=True, help="Hidden units of the MLP."),
        click.option("--activation", type=click.Choice(ACTIVATIONS), default="relu", show_default=True,
                     help="The MLP's hidden activation."),
        click.option("--lr-c", type=float, default=None,
                     help="Inverse L2 strength of the logistic regression (smaller: more regularized) "
                          "[default: 1.0; 4.0 on n-grams alone]."),
        click.option("--alpha", type=float, default=1e-4, show_default=True, help="L2 penalty of the MLP's weights."),
    ]):
        func = option(func)
    return func


def embedding_options(func):
    for option in reversed([
        click.option("--embeddings", "emb_source", metavar="SOURCE",
                     help=f"Append pooled word vectors: a GloVe/word2vec/fastText file (.gz/.bz2 too) or '{MINILM}'."),
        click.option("--embeddings-format", "emb_format", type=click.Choice(VECTOR_FORMATS),
                     help="Vectors file format (default: detected)."),
        click.option("--pool", default="mean,max", show_default=True, help="Pooling: mean, max or mean,max."),
        click.option("--keep-vectors", type=int, default=DEFAULT_KEEP, show_default=True,
                     help="Besides the training vocabulary, keep this many most frequent vectors in the model."),
        click.option("--no-lexicon-features", is_flag=True, help="Drop x1..x6: embeddings alone."),
    ]):
        func = option(func)
    return func


def _embedding_config(source, fmt, pool, keep, no_lexicon) -> EmbeddingConfig:
    return EmbeddingConfig(source=source, fmt=fmt, pool=pool, keep_vectors=keep, lexicon_features=not no_lexicon)


class _Progress:
    """A progress bar on stderr for reading a large vectors file; nothing when quiet or small."""

    def __init__(self, source):
        path = Path(source) if source and source != MINILM else None
        size = path.stat().st_size if path and path.is_file() else 0
        quiet = logging.getLogger("sentclf").level > logging.INFO
        self.bar = None if quiet or size < PROGRESS_MIN_BYTES else click.progressbar(
            length=size, label=f"reading {path.name}", file=sys.stderr)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self.bar.update if self.bar else None

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)


plot_option = click.option("--plot", "plot_dir", type=click.Path(file_okay=False), metavar="DIR",
                           help="Also write PNG pictures into DIR and print their paths.")


def _echo_plots(report: dict) -> None:
    for path in report.get("plots", []):
        click.echo(f"plot: {path}")


class _DownloadBars:
    """One stderr progress bar per downloaded file: ``progress(total, label)`` returns its update."""

    def __init__(self):
        self.bars = []

    def __enter__(self):
        return self

    def __call__(self, total: int, label: str):
        bar = click.progressbar(length=total or None, label=f"downloading {label}", file=sys.stderr)
        self.bars.append(bar.__enter__())
        return bar.update

    def __exit__(self, *exc):
        for bar in self.bars:
            bar.__exit__(*exc)


model_path_option = click.option("-m", "--model-path", type=click.Path(), default=None,
                                 help="Model file (default: $SENTCLF_MODEL, else ~/.local/share/sentclf/model.sentclf).")


@cli.command(context_settings=CONTEXT)
@click.argument("data", required=False)
@click.option("-o", "--output", "--model-path", "output", type=click.Path(), help="Where to save the model file.")
@click.option("--model", "which", type=click.Choice(["lr", "mlp", "both"]), default="both", show_default=True)
@click.option("--test-size", type=float, default=0.2, show_default=True, help="Held-out fraction (stratified).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--class-weight", type=click.Choice(["balanced"]), default=None, help="Reweight classes by frequency.")
@model_options
@click.option("--force", is_flag=True, help="Overwrite an existing model file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@plot_option
@data_options
@lexicon_options
@embedding_options
@quiet_option
def train(data, output, which, test_size, seed, class_weight, hidden, activation, lr_c, alpha, force, as_json, plot_dir,
          fmt, text_col, label_col, encoding, skip_bad, lexicon, lexicon_dir,
          emb_source, emb_format, pool, keep_vectors, no_lexicon_features):
    """Train logistic regression and the MLP on DATA and compare them on a held-out split.

    DATA is a CSV/TSV/JSONL/fastText file, a folder with one sub-folder per label, or - for stdin;
    without DATA the default corpus (38k labelled tweets) is used. Example:

        sentclf train reviews.csv -o reviews.sentclf --model both

    With --embeddings SOURCE the mean/max-pooled word vectors are appended after x1..x6.
    """
    config = api.TrainConfig(
        data=api.DataConfig(data, fmt, text_col, label_col, encoding, skip_bad),
        models=("lr", "mlp") if which == "both" else (which,), test_size=test_size, lexicon=lexicon,
        lexicon_dir=lexicon_dir,
        model=ModelConfig(hidden=hidden, activation=activation, class_weight=class_weight, seed=seed, c=lr_c,
                          alpha=alpha),
        embeddings=_embedding_config(emb_source, emb_format, pool, keep_vectors, no_lexicon_features))
    with _Progress(emb_source) as progress:
        report = api.train(config, output or bundle.default_model_path(), force=force, progress=progress,
                           plot_dir=plot_dir)
    click.echo(json.dumps(report, indent=2) if as_json else render.train_table(report))
    if not as_json:
        _echo_plots(report)


def _documents(files, whole_file, encoding):
    if not files:
        raise click.UsageError("give at least one FILE, or - to read standard input")
    return iter_documents(list(files), whole_file=whole_file, encoding=encoding)


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1)
@model_path_option
@click.option("--use", type=click.Choice(["lr", "mlp"]), help="Which model to use (default: the best one).")
@click.option("--whole-file", is_flag=True, help="Each FILE is one document (default: one per line).")
@click.option("--encoding", default="utf-8", show_default=True)
@click.option("--jsonl", "out", flag_value="jsonl", help="One JSON object per document.")
@click.option("--csv", "out", flag_value="csv", help="CSV with a header row.")
@quiet_option
def predict(files, model_path, use, whole_file, encoding, out):
    """Label each line of FILE (or each FILE with --whole-file); - reads stdin. Example:

        sentclf predict reviews.txt --jsonl
    """
    documents = _documents(files, whole_file, encoding)
    model = api.load_model(model_path)
    labels, n, n_empty = model.labels, 0, 0
    if out == "csv":
        click.echo(render.csv_line(["file", "line", "label", *[f"p_{x}" for x in labels], "empty", "text"]))
    elif out is None:
        click.echo(render.prediction_header(labels))
    lines = []
    for result in api.predict(model, documents, use=use):
        n, n_empty = n + 1, n_empty + result["empty"]
        if out == "jsonl":
            lines.append(render.json_line(render.prediction_json(result)))
        else:
            lines.append(render.csv_line(render.prediction_csv(result, labels)) if out == "csv"
                         else render.prediction_row(result, labels))
        if len(lines) >= OUTPUT_BATCH:
            click.echo("\n".join(lines))
            lines.clear()
    if lines:
        click.echo("\n".join(lines))
    logging.getLogger("sentclf").info("scored %d document(s) with %s", n, use or model.metadata["best_model"])
    if n_empty:
        logging.getLogger("sentclf").warning("%d empty document(s): their label is the model's prior", n_empty)


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1)
@click.option("--labels", "labelled", help="A labelled DATA file: print per-class means of x1..x6 instead.")
@click.option("--whole-file", is_flag=True, help="Each FILE is one document (default: one per line).")
@click.option("--jsonl", "out", flag_value="jsonl", help="One JSON object per document.")
@click.option("--csv", "out", flag_value="csv", help="CSV with a header row.")
@click.option("--json", "out", flag_value="json", help="With --labels: the means as one JSON object.")
@data_options
@lexicon_options
@embedding_options
@quiet_option
def features(files, labelled, whole_file, out, fmt, text_col, label_col, encoding, skip_bad, lexicon, lexicon_dir,
             emb_source, emb_format, pool, keep_vectors, no_lexicon_features):
    """Show x1..x6 and the matched tokens for each line of FILE (or -). Example:

        echo "I loved it, no regrets!" | sentclf features - --jsonl

    With --embeddings SOURCE each document also gets its pooled vector(s) and its tokens without one.
    """
    lex = load_lexicon(lexicon, lexicon_dir)
    if labelled:
        result = api.feature_means(api.DataConfig(labelled, fmt, text_col, label_col, encoding, skip_bad), lex)
        click.echo(json.dumps(result, indent=2) if out in ("json", "jsonl") else render.means_table(result))
        return
    embeddings = _embedding_config(emb_source, emb_format, pool, keep_vectors, False)
    with _Progress(emb_source) as progress:
        rows = api.feature_rows(_documents(files, whole_file, encoding), lex, embeddings, progress)
        first = next(rows, None)
    if out is None:
        click.echo(render.feature_header(embeddings=emb_source is not None))
    elif out == "csv" and first is not None:
        click.echo(render.csv_line(render.feature_csv_header(first)))
    for row in itertools.chain([first] if first else [], rows):
        if out in ("jsonl", "json"):
            click.echo(render.json_line(render.feature_json(row)))
        else:
            click.echo(render.csv_line(render.feature_csv(row)) if out == "csv" else render.feature_row_table(row))


@cli.command(context_settings=CONTEXT)
@click.argument("data", required=False)
@click.option("--cv", type=int, default=10, show_default=True, help="Number of stratified folds.")
@click.option("--models", default="lr,mlp", show_default=True, help="Models to compare: lr, mlp or lr,mlp.")
@click.option("--features", "feature_sets", help="Feature sets, comma-separated, from: six, six+emb, emb, "
              "six+ngrams, ngrams (default: six, six+ngrams, ngrams; with --embeddings also six+emb, emb).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--jobs", type=int, default=1, show_default=True, help="Folds run in parallel (-1: every core).")
@click.option("--learning-curve", is_flag=True, help="Also accuracy against training-set size.")
@model_options
@click.option("--json", "out", flag_value="json", help="One JSON object with every fold's scores.")
@click.option("--markdown", "out", flag_value="markdown", help="Tables in Markdown.")
@plot_option
@data_options
@lexicon_options
@embedding_options
@quiet_option
def compare(data, cv, models, feature_sets, seed, jobs, learning_curve, hidden, activation, lr_c, alpha, out, plot_dir,
            fmt, text_col, label_col, encoding, skip_bad, lexicon, lexicon_dir,
            emb_source, emb_format, pool, keep_vectors, no_lexicon_features):
    """Cross-validate LR vs the MLP on several feature sets, with reference rows and significance. Example:

        sentclf compare reviews.csv --cv 10 --features six,six+ngrams --jobs 2 --markdown
    """
    config = CompareConfig(
        cv=cv, models=tuple(m.strip() for m in models.split(",") if m.strip()), seed=seed, jobs=jobs,
        features=tuple(f.strip() for f in feature_sets.split(",")) if feature_sets else None,
        learning_curve=learning_curve,
        model=ModelConfig(hidden=hidden, activation=activation, seed=seed, c=lr_c, alpha=alpha),
        embeddings=_embedding_config(emb_source, emb_format, pool, keep_vectors, no_lexicon_features))
    with _Progress(emb_source) as progress:
        report = experiments.compare(api.DataConfig(data, fmt, text_col, label_col, encoding, skip_bad), config,
                             lexicon, lexicon_dir, progress, plot_dir)
    click.echo(json.dumps(report, indent=2) if out == "json" else render.compare_text(report, out == "markdown"))
    if out != "json":
        _echo_plots(report)


@cli.command(context_settings=CONTEXT)
@click.argument("data")
@model_path_option
@click.option("--label-map", help="Rename DATA's labels to the model's: pos=positive,neg=negative.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@plot_option
@data_options
@quiet_option
def evaluate(data, model_path, label_map, as_json, plot_dir, fmt, text_col, label_col, encoding, skip_bad):
    """Score a model file's models on labelled DATA (any format train reads). Example:

        sentclf evaluate test.csv -m reviews.sentclf --label-map 1=pos,0=neg

    Accuracy with a 95% Wilson interval, macro-F1, per-class precision/recall/F1/support, log loss,
    Brier score, confusion matrices, and McNemar's test of LR vs MLP on the same documents.
    """
    report = experiments.evaluate(api.load_model(model_path), api.DataConfig(data, fmt, text_col, label_col, encoding,
                                                                     skip_bad), experiments.parse_label_map(label_map),
                          plot_dir)
    click.echo(json.dumps(report, indent=2) if as_json else render.evaluate_text(report))
    if not as_json:
        _echo_plots(report)


@cli.command(context_settings=CONTEXT)
@click.argument("text")
@model_path_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as one JSON object.")
@quiet_option
def explain(text, model_path, as_json):
    """Show z = w·x + b of the logistic regression for TEXT (- reads stdin as one document). Example:

        sentclf explain "It's hokey, but the cast is great."
    """
    if text == "-":
        text = next(iter_documents(["-"], whole_file=True)).text
    result = explain_text(api.load_model(model_path), text)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else render.explain_table(result))


@cli.command(context_settings=CONTEXT)
@click.argument("model", required=False)
@model_path_option
@click.option("--json", "as_json", is_flag=True, help="Print the whole metadata as JSON.")
@quiet_option
def info(model, model_path, as_json):
    """Print a model's (or a language model's) metadata without unpickling it. Example:

        sentclf info model.sentclf --json
    """
    path = Path(model or model_path or bundle.default_model_path())
    meta = bundle.read_metadata(path, fmt=None)
    text = render.lm_info_text if meta["format"] == bundle.LM_FORMAT else render.info_text
    click.echo(json.dumps(meta, indent=2) if as_json else text(meta, str(path), path.stat().st_size))


@cli.group(context_settings=CONTEXT)
def data():
    """Standard sentiment datasets: list them, fetch them into a cache. Example:

        sentclf data get mr && sentclf compare data:mr --features six,ngrams
    """


@data.command("list", context_settings=CONTEXT)
@click.option("--dir", "root", type=click.Path(file_okay=False), help="Dataset cache (default: $SENTCLF_DATA).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def data_list(root, as_json):
    """List the default corpus and the standard datasets, with source, size, licence and checksum. Example:

        sentclf data list
    """
    rows = experiments.list_datasets(root)
    click.echo(json.dumps(rows, indent=2) if as_json else render.datasets_table(rows))


@data.command("get", context_settings=CONTEXT)
@click.argument("name")
@click.option("--dir", "root", type=click.Path(file_okay=False), help="Dataset cache (default: $SENTCLF_DATA).")
@quiet_option
def data_get(name, root):
    """Download NAME once, verify its checksum, convert it to a format train reads. Example:

        sentclf data get sst2      # then: sentclf train data:sst2 ; sentclf evaluate data:sst2/test
    """
    quiet = logging.getLogger("sentclf").level > logging.INFO
    with _DownloadBars() as progress:
        result = experiments.get_dataset(name, root, progress=None if quiet else progress)
    click.echo("\n".join([f"{name}: {result['folder']}"] + [f"  {split}: {path}" for split, path in
                                                             result["paths"].items()] + [f"  use: {u}" for u in
                                                                                        result["use"]]))


@cli.group(context_settings=CONTEXT)
def lm():
    """The lecture's feedforward neural language model: train it on any text, query it, export its
    word embeddings for --embeddings. Example:

    \b
        sentclf lm train reviews.txt -o reviews.lm
        sentclf lm next reviews.lm "I forgot to make sure that the dog gets"
        sentclf lm export reviews.lm vectors.txt && sentclf train --embeddings vectors.txt
    """


def lm_text_options(func):
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice((lmtools.LINES,) + FORMATS),
                     help="'lines': plain text, one document per line; else a dataset format (default: by extension)."),
        click.option("--text-col", help="Column (or JSON key) holding the text, for datasets."),
        click.option("--label-col", help="Column (or JSON key) holding the label (read, then ignored)."),
        click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input."),
    ]):
        func = option(func)
    return func


class _EpochBars:
    """A progress bar per epoch on stderr, with the running loss; a line per finished epoch."""

    def __init__(self):
        self.bar, self.loss = None, None

    def __call__(self, event: dict):
        if event["event"] == "epoch":
            self.bar = click.progressbar(length=event["batches"], file=sys.stderr,
                                         label=f"epoch {event['epoch']}/{event['epochs']}",
                                         item_show_func=lambda _: f"loss {self.loss:.3f}" if self.loss else "")
            self.bar.__enter__()
        elif event["event"] == "batch":
            self.loss = event["loss"]
            self.bar.update(1)
        elif event["event"] == "epoch_end":
            self.close()
            held = event["heldout_perplexity"]
            logging.getLogger("sentclf").info(
                "epoch %d: training loss %.3f%s", event["epoch"], event["train_loss"],
                "" if held is None else f", held-out perplexity {held:.1f}" + (" (best so far: saved)" if event["best"] else ""))

    def close(self):
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None


@lm.command("train", context_settings=CONTEXT)
@click.argument("text", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="lm.sentclf", show_default=True,
              help="Where to save the language model.")
@click.option("--window", type=int, default=3, show_default=True, help="Previous words the model sees (N - 1).")
@click.option("--dim", type=int, default=50, show_default=True, help="Embedding size d.")
@click.option("--hidden", type=int, default=100, show_default=True, help="Hidden units.")
@click.option("--activation", type=click.Choice(lm_module.LM_ACTIVATIONS), default="relu", show_default=True)
@click.option("--epochs", type=int, default=10, show_default=True, help="At most this many passes.")
@click.option("--batch-size", type=int, default=256, show_default=True)
@click.option("--lr", type=float, default=None, help="Learning rate [default: 0.002 Adam, 0.1 SGD].")
@click.option("--optimizer", type=click.Choice(lm_module.OPTIMIZERS), default="adam", show_default=True,
              help="Adam, or SGD with momentum 0.9.")
@click.option("--dropout", type=float, default=0.0, show_default=True, help="Dropout on embeddings and hidden units.")
@click.option("--tie", is_flag=True, help="Score words through E (z = h P E^T + c) instead of a separate U: "
                                          "fewer weights, faster, lower perplexity on small text.")
@click.option("--min-count", type=int, default=2, show_default=True, help="Rarer words become <unk>.")
@click.option("--max-vocab", type=int, default=20000, show_default=True, help="Vocabulary size cap (with <unk> <s> </s>).")
@click.option("--holdout", type=float, default=0.1, show_default=True,
              help="Share of documents held out for early stopping and the reported perplexity.")
@click.option("--patience", type=int, default=3, show_default=True,
              help="Stop after this many epochs without a better held-out perplexity (each halves the step).")
@click.option("--ngram-order", type=int, default=3, show_default=True, help="Order of the Kneser-Ney baseline.")
@click.option("--no-baseline", is_flag=True, help="Skip the Kneser-Ney baseline.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@lm_text_options
@quiet_option
def lm_train(text, output, fmt, text_col, label_col, encoding, no_baseline, force, as_json, **options):
    """Train the feedforward neural LM on TEXT (files with one document per line, datasets, - for stdin;
    none: the default corpus). Ctrl-C stops and keeps the best model so far. Example:

        sentclf lm train reviews.txt --window 3 --dim 50 --hidden 100 -o reviews.lm
    """
    config = lm_module.LMConfig(**options)
    source = lmtools.TextInput(tuple(text), fmt, text_col, label_col, encoding)
    quiet = logging.getLogger("sentclf").level > logging.INFO
    bars = _EpochBars()
    try:
        report = lmtools.train_lm(config, source, output, force=force, progress=None if quiet else bars,
                                  baseline=not no_baseline)
    finally:
        bars.close()
    click.echo(json.dumps(report, indent=2) if as_json else render.lm_train_text(report))
    if report["interrupted"]:
        click.echo(f"Interrupted: {output} holds the best model so far (epoch {report['metrics']['best_epoch']}).",
                   err=True)
        sys.exit(130)


@lm.command("perplexity", context_settings=CONTEXT)
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("text", nargs=-1, required=True)
@click.option("--no-baseline", is_flag=True, help="Skip the Kneser-Ney baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@lm_text_options
@quiet_option
def lm_perplexity(model, text, fmt, text_col, label_col, encoding, no_baseline, as_json):
    """Perplexity of MODEL on TEXT, next to a Kneser-Ney n-gram model refitted to MODEL's training text
    with the same vocabulary. Example:

        sentclf lm perplexity reviews.lm held-out.txt
    """
    source = lmtools.TextInput(tuple(text), fmt, text_col, label_col, encoding)
    report = lmtools.perplexity_report(model, source, baseline=not no_baseline)
    window = bundle.read_metadata(model, bundle.LM_FORMAT)["config"]["window"]
    click.echo(json.dumps(report, indent=2) if as_json else render.lm_perplexity_text(report, window))


def lm_query_options(func):
    """MODEL, then one more argument, -k and --json: what next and neighbors share."""
    for option in reversed([
        click.argument("model", type=click.Path(dir_okay=False)),
        click.argument("query"),
        click.option("-k", "--top", "k", type=click.IntRange(1), default=10, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print the words as JSON."),
    ]):
        func = option(func)
    return func


def _echo_words(rows: list, key: str, as_json: bool) -> None:
    click.echo(json.dumps(rows, indent=2) if as_json else render.lm_words_table(rows, key))


@lm.command("next", context_settings=CONTEXT)
@lm_query_options
def lm_next(model, query, k, as_json):
    """The K likeliest next words after the text QUERY, with probabilities. Example:

        sentclf lm next reviews.lm "I forgot to make sure that the dog gets" -k 5
    """
    _echo_words(lm_module.load(model)[0].next_words(query, k), "probability", as_json)


@lm.command("neighbors", context_settings=CONTEXT)
@lm_query_options
def lm_neighbors(model, query, k, as_json):
    """The K nearest words to the word QUERY by cosine similarity of the learned embeddings. Example:

        sentclf lm neighbors reviews.lm good
    """
    _echo_words(lm_module.load(model)[0].neighbors(query, k), "cosine", as_json)


@lm.command("export", context_settings=CONTEXT)
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--specials", is_flag=True, help="Also write <unk>, <s> and </s>.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def lm_export(model, output, specials, force):
    """Write MODEL's embeddings in word2vec text format, which --embeddings reads. Example:

        sentclf lm export reviews.lm vectors.txt && sentclf train data.csv --embeddings vectors.txt
    """
    result = lmtools.export_vectors(model, output, force=force, specials=specials)
    click.echo(f"{result['path']}: {result['words']:,} words, {result['dim']} dimensions (word2vec text)")


def main():
    try:
        cli(prog_name="sentclf")
    except BrokenPipeError:  # e.g. `sentclf predict big.txt | head`
        sys.stderr.close()
        sys.exit(0)

