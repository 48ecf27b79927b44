"""``sentclf serve``."""

from __future__ import annotations

import os

import click

from sentclf.cli.app import CONTEXT, Command
from sentclf.cli.options import model_source_options, quiet_option
from sentclf.errors import ConfigError

TOKEN_ENV = "SENTCLF_SERVE_TOKEN"


def read_token(token_file: str | None) -> str | None:
    """The bearer token: the first line of ``token_file``, else $SENTCLF_SERVE_TOKEN, else None
    (never an option value, which other users of the machine could read in the process list)."""
    if token_file is None:
        return os.environ.get(TOKEN_ENV) or None
    try:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.readline().strip()
    except OSError as error:
        raise ConfigError(f"{token_file}: cannot read the token file ({error.strerror})") from None
    if not token:
        raise ConfigError(f"{token_file}: the token file's first line is empty")
    return token


@click.command(cls=Command, context_settings=CONTEXT)
@model_source_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port (0: any free one, printed).")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help=f"A file whose first line is the bearer token every request but /health must send (or ${TOKEN_ENV}); "
    "it also enables POST /reload.",
)
@click.option("--max-batch", type=int, default=256, show_default=True, help="Most texts scored in one call.")
@click.option("--max-wait-ms", type=float, default=5.0, show_default=True, help="Longest wait to fill a batch.")
@click.option("--max-queue", type=int, default=8192, show_default=True, help="Most texts waiting (more: 429).")
@click.option("--max-body", type=int, default=1_000_000, show_default=True, help="Largest request body in bytes (413).")
@click.option("--max-texts", type=int, default=1000, show_default=True, help="Most texts per request (413).")
@click.option("--max-chars", type=int, default=20_000, show_default=True, help="Longest text in characters (422).")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds a request may wait (503).")
@click.option("--min-confidence", type=float, default=0.0, help="details: label 'uncertain' below this top P.")
@click.option("--neutral-band", type=float, default=0.0, help="details: two classes, 'neutral' below 0.5 + this.")
@quiet_option
def serve(
    model_source,
    host,
    port,
    token_file,
    max_batch,
    max_wait_ms,
    max_queue,
    max_body,
    max_texts,
    max_chars,
    timeout,
    min_confidence,
    neutral_band,
):
    """Serve a model over HTTP (needs pip install 'sentclf[serve]'): POST /predict in Hugging Face's
    text-classification shape, /explain, /info, /health, /metrics, /docs, and a page at /. Example:

    \b
    sentclf serve -m reviews.sentclf --port 8000
    curl -s localhost:8000/predict -H 'Content-Type: application/json' -d '{"inputs": "I loved it"}'

    SIGTERM drains (requests in flight are answered), SIGHUP reloads the model file.
    """
    from sentclf.serve.runner import serve as run_serve
    from sentclf.serve.serve_config import ServeConfig

    config = ServeConfig(
        model=model_source,
        host=host,
        port=port,
        token=read_token(token_file),
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
        max_queue=max_queue,
        max_body=max_body,
        max_texts=max_texts,
        max_chars=max_chars,
        timeout=timeout,
        min_confidence=min_confidence,
        neutral_band=neutral_band,
    )

    def listening(address: str, bound: int) -> None:
        click.echo(f"serving on http://{address}:{bound}/", err=True)

    run_serve(config, on_listen=listening)
