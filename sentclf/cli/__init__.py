"""The command-line interface, the only package that imports click: the ``sentclf`` group
(:mod:`.app`), shared option groups (:mod:`.options`), rendering, progress bars, and one module per
command group. Each command builds one config object, calls one library function and renders what
it returns; library modules are imported inside the commands, so ``sentclf --help`` stays quick."""

from __future__ import annotations

import sys

from sentclf.cli import data, distill, info, lecture, lm, measure, score, serve, train
from sentclf.cli.app import cli

for command in (
    train.train,
    distill.distill,
    score.predict,
    score.features,
    measure.compare,
    measure.evaluate,
    score.explain,
    info.info,
    data.data,
    lm.lm,
    lecture.lecture,
    serve.serve,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="sentclf")
    except BrokenPipeError:  # e.g. `sentclf predict big.txt | head`
        sys.stderr.close()
        sys.exit(0)


__all__ = ("cli", "main")
