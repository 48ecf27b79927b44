"""Progress bars on stderr (none with -q) for the steps the commands drive themselves: reading a large
vectors file, downloads, LM training epochs. The library's own reports (encoding, fitting an
ensemble) are drawn by :class:`sentclf.cli.logs.TaskBars`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from sentclf.classify.vectors.embedding_config import MINILM, MINILM_STATIC
from sentclf.cli.logs import is_quiet

PROGRESS_MIN_BYTES = 4_000_000  # vectors files larger than this get a progress bar on stderr


class VectorsProgress:
    """A progress bar for reading a large vectors file; yields None when quiet or the file is small."""

    def __init__(self, source):
        path = Path(source) if source and source not in (MINILM, MINILM_STATIC) else Path()
        size = path.stat().st_size if path.is_file() else 0
        self.bar = (
            None
            if is_quiet() or size < PROGRESS_MIN_BYTES
            else click.progressbar(length=size, label=f"reading {path.name}", file=sys.stderr)
        )

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self.bar.update if self.bar else None

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)


class DownloadBars:
    """One progress bar per downloaded file: ``progress(total, label)`` returns its update."""

    def __init__(self):
        self.bars: list = []

    def __enter__(self):
        return None if is_quiet() else self

    def __call__(self, total: int, label: str):
        bar: Any = click.progressbar(length=total or None, label=f"downloading {label}", file=sys.stderr)
        self.bars.append(bar.__enter__())
        return bar.update

    def __exit__(self, *exc):
        for bar in self.bars:
            bar.__exit__(*exc)


class EpochBars:
    """A progress bar per epoch with the running loss, and a line per finished epoch."""

    def __init__(self):
        self.bar: Any = None
        self.loss: float | None = None

    def __enter__(self):
        return None if is_quiet() else self

    def __exit__(self, *exc):
        self.close()

    def __call__(self, event: dict):
        if event["event"] == "epoch":
            self.bar = click.progressbar(
                length=event["batches"],
                file=sys.stderr,
                label=f"epoch {event['epoch']}/{event['epochs']}",
                item_show_func=lambda _: f"loss {self.loss:.3f}" if self.loss else "",
            )
            self.bar.__enter__()
        elif event["event"] == "batch":
            self.loss = event["loss"]
            self.bar.update(1)
        elif event["event"] == "epoch_end":
            self.close()
            held = event["heldout_perplexity"]
            logging.getLogger("sentclf").info(
                "epoch %d: training loss %.3f%s",
                event["epoch"],
                event["train_loss"],
                ""
                if held is None
                else f", held-out perplexity {held:.1f}" + (" (best so far: saved)" if event["best"] else ""),
            )

    def close(self):
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None
