"""The LM file: :mod:`sentclf.archive`'s zip with ``lm.npz``, plain arrays read with
``allow_pickle=False``, so loading an LM file runs no code."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import asdict

import numpy as np

from sentclf import archive
from sentclf.errors import ModelFileError
from sentclf.lm import network
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import Encoded
from sentclf.lm.model import LanguageModel

PAYLOAD = "lm.npz"
BASELINE_MAX_TOKENS = 5_000_000  # training text kept in the file (for the n-gram baseline) up to this size


def save(path, model: LanguageModel, metadata: dict, train: Encoded | None = None, force: bool = False):
    """Write the LM file atomically: parameters (U and c apart), the vocabulary, and the training ids
    (for the n-gram baseline) when they are at most :data:`BASELINE_MAX_TOKENS`."""
    U, c = network.output_views(model.params)
    arrays = {
        "E": model.params["E"],
        "W": model.params["W"],
        "b": model.params["b"],
        "c": c,
        "P" if model.config.tie else "U": U,
        "vocab": np.array(model.vocab, dtype=str),
    }
    if train is not None and train.n_tokens <= BASELINE_MAX_TOKENS:
        arrays.update(train_ids=train.ids, train_lengths=train.lengths)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    meta = {
        "kind": "feedforward neural language model",
        "config": asdict(model.config),
        "vocab_size": len(model.vocab),
        **metadata,
    }
    return archive.write_archive(path, archive.LM_FORMAT, meta, PAYLOAD, buffer.getvalue(), force)


def check_array_sizes(payload: bytes) -> None:
    """Each array's header (shape × itemsize) must fit in its stored size before numpy allocates it:
    a hostile header cannot ask for terabytes."""
    with zipfile.ZipFile(io.BytesIO(payload)) as members:
        for info in members.infolist():
            with members.open(info) as stream:
                version = np.lib.format.read_magic(stream)
                shape, _, dtype = (
                    np.lib.format.read_array_header_1_0(stream)
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0(stream)
                )
            count = int(np.prod(shape, dtype=np.float64)) if shape else 1
            if dtype.hasobject or count * dtype.itemsize > info.file_size:
                raise ValueError(
                    f"{info.filename}: a {shape} array of {dtype} does not fit in {info.file_size:,} bytes"
                )


def load(path) -> tuple:
    """(model, training ids or None): metadata checked first, then the payload's sha256, then arrays."""
    meta = archive.read_metadata(path, archive.LM_FORMAT)
    payload = archive.read_payload(path, meta, PAYLOAD)
    try:
        check_array_sizes(payload)
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            data = {name: arrays[name] for name in arrays.files}
        config = LMConfig(**meta["config"])
        params = {"E": data["E"], "W": data["W"], "b": data["b"]}
        if config.tie:
            params.update(P=data["P"], c=data["c"])
        else:
            params["Uc"] = np.vstack([data["U"], data["c"][None, :]])
        vocab = data["vocab"].tolist()
    except (
        KeyError,
        TypeError,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
        zipfile.BadZipFile,
        zlib.error,
    ) as exc:
        raise ModelFileError(
            f"{path}: the language model's arrays are unreadable ({exc}): remake it with 'sentclf lm train'"
        ) from None
    if params["E"].shape[0] != len(vocab) or len(network.output_views(params)[1]) != len(vocab):
        raise ModelFileError(f"{path}: the language model's arrays do not match its vocabulary: remake it")
    train = Encoded(data["train_ids"], data["train_lengths"]) if "train_ids" in data else None
    return LanguageModel(vocab, params, config, meta), train
