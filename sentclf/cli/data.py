"""``sentclf data list`` and ``sentclf data get``: the standard datasets."""

from __future__ import annotations

import json

import click

from sentclf.cli.app import CONTEXT, Group
from sentclf.cli.bars import DownloadBars
from sentclf.cli.options import quiet_option


@click.group(cls=Group, context_settings=CONTEXT)
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
    from sentclf.cli.render import datasets_table
    from sentclf.data.catalogue import list_datasets

    rows = list_datasets(root)
    click.echo(json.dumps(rows, indent=2) if as_json else datasets_table(rows))


@data.command("get", context_settings=CONTEXT)
@click.argument("name")
@click.option("--dir", "root", type=click.Path(file_okay=False), help="Dataset cache (default: $SENTCLF_DATA).")
@quiet_option
def data_get(name, root):
    """Download NAME once, verify its checksum, convert it to a format train reads. Example:

    sentclf data get sst2      # then: sentclf train data:sst2 ; sentclf evaluate data:sst2/test
    """
    from sentclf.data.fetch import get_dataset

    with DownloadBars() as progress:
        result = get_dataset(name, root, progress=progress)
    click.echo(
        "\n".join(
            [
                f"{name}: {result['folder']}",
                *[f"  {split}: {path}" for split, path in result["paths"].items()],
                *[f"  use: {use}" for use in result["use"]],
            ]
        )
    )
