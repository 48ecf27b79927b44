"""Option groups that shape a model, shared by ``train`` and ``compare``: ``lexicon`` (a
LexiconConfig), ``model`` (a ModelConfig: hyperparameters and the seed), ``embeddings`` (an
EmbeddingConfig; ``features`` takes the dump's share of them), ``ensemble`` (an EnsembleConfig),
``--optimize`` and ``stream`` (train's StreamConfig, or None). Each hands the command one config
object (:func:`sentclf.cli.options.option_group`)."""

from __future__ import annotations

import click

from sentclf.classify.config import StreamConfig, parse_list
from sentclf.classify.features.lexicons import LEXICON_NAMES, LexiconConfig
from sentclf.classify.models.spec import (
    ACCURACY_MEMBERS,
    AUTO_EPOCHS,
    ENSEMBLE_METHODS,
    FT_DEFAULTS,
    MLP_ACTIVATIONS,
    OPTIMIZE,
    TOKEN_BUDGET,
    TUNE_ALL,
    EnsembleConfig,
    ModelConfig,
)
from sentclf.classify.vectors.embedding_config import (
    DEFAULT_KEEP,
    MINILM,
    MINILM_STATIC,
    VECTOR_FORMATS,
    EmbeddingConfig,
)
from sentclf.cli.options import option_group, refuse


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


def _model(hidden, activation, lr_c, alpha, seed, class_weight, tune_layers, tune_epochs, tune_lr) -> ModelConfig:
    layers = tune_layers if tune_layers in (None, TUNE_ALL) else _layers(tune_layers)
    return ModelConfig(
        hidden=hidden,
        activation=activation,
        c=lr_c,
        alpha=alpha,
        seed=seed,
        class_weight=class_weight,
        tune_layers=layers,
        tune_epochs=tune_epochs,
        tune_lr=tune_lr,
    )


def _layers(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value  # ModelConfig.validate names what it takes


model_options = option_group(
    "model",
    [
        click.option("--hidden", type=int, default=None, help="Hidden units of the MLP [default: 100]."),
        click.option(
            "--activation",
            type=click.Choice(MLP_ACTIVATIONS),
            default=None,
            help="The MLP's hidden activation [default: relu].",
        ),
        click.option(
            "--lr-c",
            type=float,
            default=None,
            help="Inverse L2 strength of the logistic regression (smaller: more regularized) "
            "[default: 1.0; 4.0 on n-grams alone].",
        ),
        click.option("--alpha", type=float, default=None, help="L2 penalty of the MLP's weights [default: 0.0001]."),
        click.option(
            "--seed", type=int, default=0, show_default=True, help="Seeds the split or folds and every model."
        ),
        click.option(
            "--class-weight",
            type=click.Choice(["balanced"]),
            default=None,
            help="Reweight classes by inverse frequency (LR: class_weight; MLP and ft: sample weights).",
        ),
        click.option(
            "--tune-layers",
            metavar="K|all",
            default=None,
            help=f"ft: fine-tune the top K layers of the encoder, or '{TUNE_ALL}' (every layer and the embeddings) "
            "[default: every layer, the embeddings frozen].",
        ),
        click.option(
            "--tune-epochs",
            type=int,
            default=None,
            help=f"ft: epochs at most (early stopping may end sooner) [default: {AUTO_EPOCHS}, fewer where they "
            f"would train on more than {TOKEN_BUDGET:,} wordpieces].",
        ),
        click.option(
            "--tune-lr",
            type=float,
            default=None,
            help=f"ft: the encoder's peak learning rate (the head's is 10x) [default: {FT_DEFAULTS['tune_lr']:g}].",
        ),
    ],
    _model,
)


EMBEDDINGS = click.option(
    "--embeddings",
    "emb_source",
    metavar="SOURCE",
    help=f"Append pooled word vectors: a GloVe/word2vec/fastText file (.gz/.bz2 too), '{MINILM}' (MiniLM's "
    f"input wordpiece table) or '{MINILM_STATIC}' (a static table distilled from the sentence encoder).",
)
EMBEDDINGS_FORMAT = click.option(
    "--embeddings-format",
    "emb_format",
    type=click.Choice(VECTOR_FORMATS),
    help="Vectors file format (default: detected).",
)
POOL = click.option("--pool", default=None, help="Pooling: mean, max or mean,max [default: mean,max].")


def _embeddings(emb_source, emb_format, pool, keep_vectors, no_lexicon_features) -> EmbeddingConfig:
    return EmbeddingConfig(emb_source, emb_format, pool, keep_vectors, not no_lexicon_features)


def _dump_embeddings(emb_source, emb_format, pool) -> EmbeddingConfig:
    return EmbeddingConfig(emb_source, emb_format, pool)


embedding_options = option_group(
    "embeddings",
    [
        EMBEDDINGS,
        EMBEDDINGS_FORMAT,
        POOL,
        click.option(
            "--keep-vectors",
            type=int,
            default=None,
            help="Besides the training vocabulary, keep this many most frequent vectors in the model "
            f"[default: {DEFAULT_KEEP:,}].",
        ),
        click.option("--no-lexicon-features", is_flag=True, help="Drop x1..x6: embeddings alone."),
    ],
    _embeddings,
)
# features: a dump keeps every vector and always shows x1..x6
dump_embedding_options = option_group("embeddings", [EMBEDDINGS, EMBEDDINGS_FORMAT, POOL], _dump_embeddings)


def _ensemble(members, method) -> EnsembleConfig:
    return EnsembleConfig(parse_list(members) or None, method)


ensemble_options = option_group(
    "ensemble",
    [
        click.option(
            "--members",
            metavar="SET:KIND,...",
            help="The ensemble's members, each a feature set and lr, mlp or nb "
            f"[default: {','.join(ACCURACY_MEMBERS)}].",
        ),
        click.option(
            "--ensemble",
            "method",
            type=click.Choice(ENSEMBLE_METHODS),
            default=None,
            help="stack: a logistic regression on the members' out-of-fold probabilities; blend: the same, "
            "learned from a held-out tenth (each member fitted once); soft: their average "
            "[default: stack, or blend when a member is encoder:ft].",
        ),
    ],
    _ensemble,
)

OPTIMIZE_OPTION = click.option(
    "--optimize",
    type=click.Choice(OPTIMIZE),
    default="efficiency",
    show_default=True,
    help="efficiency: the lecture's models as chosen; accuracy: the ensemble of the recipe (spaCy's convention).",
)


def _stream(stream, epochs, label_set) -> StreamConfig | None:
    if not stream:
        refuse(
            [("epochs", "--epochs"), ("label_set", "--labels")], "is an option of --stream: add --stream, or drop it"
        )
        return None
    return StreamConfig(epochs=epochs, labels=parse_list(label_set))


stream_options = option_group(
    "stream",
    [
        click.option(
            "--stream",
            is_flag=True,
            help="Out-of-core training for data larger than memory: read a table a batch at a time, fit with "
            "partial_fit (features: six, rules, hashed), hold out rows by hashing them.",
        ),
        click.option("--epochs", type=int, default=1, show_default=True, help="With --stream: passes over the data."),
        click.option(
            "--labels",
            "label_set",
            metavar="A,B",
            help="With --stream: the label set, when known (saves a pass for hashed).",
        ),
    ],
    _stream,
)
