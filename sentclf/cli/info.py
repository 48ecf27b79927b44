"""``sentclf info``: a model file's or an LM file's metadata, read without unpickling anything."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentclf import archive
from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.options import MODEL_PATH, quiet_option
from sentclf.cli.render import info_text
from sentclf.cli.render_lm import lm_info_text
from sentclf.paths import default_model_path


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("model", required=False)
@MODEL_PATH
@click.option("--json", "as_json", is_flag=True, help="Print the whole metadata as JSON.")
@quiet_option
def info(model, model_path, as_json):
    """Print a model's (or a language model's) metadata without unpickling it. Example:

    sentclf info model.sentclf --json
    """
    path = Path(model or model_path or default_model_path())
    meta = archive.read_metadata(path, fmt=None)
    text = lm_info_text if meta["format"] == archive.LM_FORMAT else info_text
    click.echo(json.dumps(meta, indent=2) if as_json else text(meta, str(path), path.stat().st_size))
