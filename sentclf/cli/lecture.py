"""``sentclf lecture``: the lecture's worked examples, computed by sentclf's own numpy code and
printed step by step (and plotted), for a course."""

from __future__ import annotations

import json

import click

from sentclf.cli.app import CONTEXT, Group
from sentclf.cli.model_options import lexicon_options
from sentclf.cli.options import plot_option


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print the steps as one JSON object.")(func)


@click.group(cls=Group, context_settings=CONTEXT)
def lecture():
    """The lecture's worked examples (Jurafsky & Martin, SLP ch. 5 and 7), step by step. Example:

    \b
        sentclf lecture unit          # one sigmoid unit: y = σ(w·x + b) = 0.70
        sentclf lecture sentiment     # the textbook review's P(+) = 0.70
        sentclf lecture graph         # L = c(a + 2b), forward and backward
        sentclf lecture xor --plot build/plots
    """


@lecture.command("unit", context_settings=CONTEXT)
@json_option
def lecture_unit(as_json):
    """One neural unit, y = σ(w·x + b), with the lecture's w = [0.2, 0.3, 0.9], b = 0.5 and
    x = [0.5, 0.6, 0.1]. Example:

    sentclf lecture unit
    """
    from sentclf.cli.render_lecture import step_text
    from sentclf.lecture.walkthrough import unit

    result = unit()
    click.echo(json.dumps(result, indent=2) if as_json else step_text(result, "y = σ(z)"))


@lecture.command("sentiment", context_settings=CONTEXT)
@click.argument("text", required=False)
@lexicon_options
@json_option
def lecture_sentiment(text, lexicon, as_json):
    """The sentiment classifier of ch. 5: P(+) = σ(w·x + b) with the lecture's weights, on the
    textbook review's features x = [3, 2, 1, 3, 0, 4.19], or on TEXT's (with --lexicon-dir for the
    lecture's word lists). Example:

    sentclf lecture sentiment "The cast is great, but the plot is hokey!"
    """
    from sentclf.cli.render_lecture import step_text
    from sentclf.lecture.walkthrough import TEXTBOOK_X, sentiment

    x = TEXTBOOK_X
    if text is not None:
        from sentclf.classify.features.six import feature_values
        from sentclf.text import tokenize

        x = feature_values(tokenize(text), lexicon.load())
    result = sentiment(x, text)
    click.echo(json.dumps(result, indent=2) if as_json else step_text(result, "P(+) = σ(z)"))


@lecture.command("graph", context_settings=CONTEXT)
@click.option("-a", type=float, default=3.0, show_default=True)
@click.option("-b", type=float, default=1.0, show_default=True)
@click.option("-c", type=float, default=-2.0, show_default=True)
@json_option
def lecture_graph(a, b, c, as_json):
    """The computation graph of L(a, b, c) = c(a + 2b): the forward pass, then backward
    differentiation, each gradient the local derivative times the upstream one. Example:

    sentclf lecture graph -a 3 -b 1 -c -2
    """
    from sentclf.cli.render_lecture import graph_text
    from sentclf.lecture.walkthrough import graph

    result = graph(a, b, c)
    click.echo(json.dumps(result, indent=2) if as_json else graph_text(result))


@lecture.command("xor", context_settings=CONTEXT)
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the network learned by backpropagation.")
@plot_option
@json_option
def lecture_xor(seed, plot_dir, as_json):
    """XOR: no perceptron computes it (a linear program proves it); the lecture's two-layer ReLU
    network does, and backpropagation learns one. --plot draws the input and hidden spaces. Example:

    sentclf lecture xor --plot build/plots
    """
    from sentclf.cli.render_lecture import xor_text
    from sentclf.lecture.walkthrough import xor, xor_plot

    result = xor(seed)
    if plot_dir:
        result["plots"] = [xor_plot(plot_dir)]
    click.echo(json.dumps(result, indent=2) if as_json else xor_text(result))
