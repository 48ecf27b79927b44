"""The ``sentclf`` command group: logging on stderr, ``-q``, ``--version``, and the one place where
expected failures (:class:`~sentclf.errors.SentclfError`) become ``Error: ...`` on stderr with exit 1."""

from __future__ import annotations

import os
import sys

import click

from sentclf import __version__
from sentclf.cli.logs import setup_logging
from sentclf.errors import OptionConflictError, SentclfError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Command(click.Command):
    """A command whose options the library finds in conflict (:class:`~sentclf.errors.OptionConflictError`)
    fails as a usage error of that command: its usage line, then ``Error: ...``, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OptionConflictError as exc:
            raise click.UsageError(str(exc), ctx=ctx) from None


class Group(click.Group):
    """Maps every expected failure to one line on stderr and exit 1 (usage errors exit 2)."""

    command_class = Command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SentclfError as exc:  # conflicts became usage errors in the command (Command)
            raise click.ClickException(str(exc)) from None
        except MemoryError:
            raise click.ClickException(
                "out of memory: use smaller inputs or options (--hidden, --dim, --keep-vectors), or a bigger machine"
            ) from None
        except BrokenPipeError:  # the reader went away (`sentclf predict big.txt | head`): a normal end
            quiet_stdout()
            ctx.exit(0)


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing what is left at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's stdout)
        pass


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="sentclf")
@click.option("-q", "--quiet", is_flag=True, help="Only results on stdout; no progress or info on stderr.")
def cli(quiet):
    """Sentiment classification with the lecture's six features: logistic regression vs a two-layer MLP.

    \b
    sentclf train                     train both models on the default corpus
    sentclf predict reviews.txt       score one document per line
    sentclf explain "What a great film!"
    """
    setup_logging(quiet)
