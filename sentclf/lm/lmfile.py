"""The LM file: :mod:`sentclf.archive`'s zip with ``lm.npz``, plain arrays read with
``allow_pickle=False``, so loading an LM file runs no code; and, beside it, the training text as
padded int32 token ids (``train.i32``), streamed in and out in blocks, for the n-gram baseline that
``lm perplexity`` and ``lm next`` refit. Files made before it kept the ids (up to 5M tokens) inside
``lm.npz``; they still load."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import asdict
from pathlib import Path

import numpy as np

from sentclf import archive
from sentclf.errors import ModelFileError
from sentclf.lm import network
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import BOS_ID, EOS_ID, Encoded
from sentclf.lm.model import LanguageModel
from sentclf.lm.stream import Stream, from_encoded, from_file

PAYLOAD = "lm.npz"
TEXT_MEMBER = "train.i32"
MAX_PAD = 64


def save(path, model: LanguageModel, metadata: dict, train: Stream | None = None, force: bool = False):
    """Write the LM file atomically: parameters (U and c apart), the vocabulary, and the training
    stream (for the n-gram baseline), block by block."""
    U, c = network.output_views(model.params)
    arrays = {
        "E": model.params["E"],
        "W": model.params["W"],
        "b": model.params["b"],
        "c": c,
        "P" if model.config.tie else "U": U,
        "vocab": np.array(model.vocab, dtype=str),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    meta = {
        "kind": "feedforward neural language model",
        "config": asdict(model.config),
        "vocab_size": len(model.vocab),
        **metadata,
    }
    extra = None
    if train is not None:
        meta["training_text"] = {"pad": train.pad, "documents": train.documents, "tokens": train.n_tokens}

        def blocks():
            for a, b in train.spans():
                yield np.asarray(train.tokens[a:b], dtype="<i4").tobytes()

        extra = (TEXT_MEMBER, blocks)
    return archive.write_archive(path, archive.LM_FORMAT, meta, PAYLOAD, buffer.getvalue(), force, extra)


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


UNREADABLE = (KeyError, TypeError, ValueError, OSError, EOFError, NotImplementedError, zipfile.BadZipFile, zlib.error)


def _unreadable(path, exc: Exception) -> ModelFileError:
    reason = f"the language model's arrays are unreadable ({exc})"
    return ModelFileError(f"{path}: {reason}: remake it with 'sentclf lm train'")


def _arrays(path, meta: dict) -> dict:
    payload = archive.read_payload(path, meta, PAYLOAD)
    try:
        check_array_sizes(payload)
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            return {name: arrays[name] for name in arrays.files}
    except UNREADABLE as exc:
        raise _unreadable(path, exc) from None


def load(path) -> LanguageModel:
    """The model: metadata checked first, then the payload's sha256, then arrays."""
    meta = archive.read_metadata(path, archive.LM_FORMAT)
    data = _arrays(path, meta)
    try:
        config = LMConfig(**meta["config"])
        params = {"E": data["E"], "W": data["W"], "b": data["b"]}
        if config.tie:
            params.update(P=data["P"], c=data["c"])
        else:
            params["Uc"] = np.vstack([data["U"], data["c"][None, :]])
        vocab = data["vocab"].tolist()
    except UNREADABLE as exc:
        raise _unreadable(path, exc) from None
    if params["E"].shape[0] != len(vocab) or len(network.output_views(params)[1]) != len(vocab):
        raise ModelFileError(f"{path}: the language model's arrays do not match its vocabulary: remake it")
    return LanguageModel(vocab, params, config, meta)


def training_text(path, model: LanguageModel, folder: Path) -> Stream | None:
    """The training stream the file keeps (None if it keeps none), written to ``folder`` and mapped.
    Every id is checked to be in the vocabulary, and the counts of documents and tokens are taken
    from the ids themselves, not from the metadata."""
    meta, size = model.metadata, len(model.vocab)
    pad = max(model.config.window, model.config.ngram_order - 1)
    if "training_text" not in meta:
        old = _arrays(path, meta)
        if "train_ids" not in old:
            return None
        data = Encoded(old["train_ids"], old["train_lengths"])
        if len(data.ids) != data.lengths.sum() or (len(data.ids) and not 0 <= data.ids.min() <= data.ids.max() < size):
            raise ModelFileError(f"{path}: the training text's ids do not match the vocabulary: remake the file")
        return from_encoded(data, pad)
    stored = meta["training_text"].get("pad")
    if not isinstance(stored, int) or not pad <= stored <= MAX_PAD:
        raise ModelFileError(f"{path}: the training text's padding ({stored!r}) does not fit the model: remake it")
    head, totals = bytearray(), [0, 0]  # the first `pad` ids; tokens predicted, documents

    def check(block: bytes) -> None:
        if len(block) % 4:
            raise ValueError("a block of ids that is not whole int32 values")
        ids = np.frombuffer(block, dtype="<i4")
        if len(ids) and not (ids.min() >= 0 and ids.max() < size):
            raise ValueError(f"ids outside the vocabulary of {size:,}")
        head.extend(block[: max(0, 4 * stored - len(head))])
        totals[0] += int(np.count_nonzero(ids != BOS_ID))
        totals[1] += int(np.count_nonzero(ids == EOS_ID))

    archive.read_extra(path, meta, folder / TEXT_MEMBER, check)
    length = meta["extra"]["bytes"] // 4
    if length and np.frombuffer(bytes(head), dtype="<i4").tolist() != [BOS_ID] * stored:
        raise ModelFileError(f"{path}: the training text does not start with its padding: remake the file")
    return from_file(folder / TEXT_MEMBER, stored, totals[1], totals[0], length)
