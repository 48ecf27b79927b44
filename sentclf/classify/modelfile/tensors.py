"""Large weight arrays kept beside a model file's pickle, as plain float32 bytes.

A fine-tuned encoder's layers are tens of megabytes of float32. They are not pickled: the pickle
holds a :class:`TensorSet` that says only "the arrays of set i", and the arrays themselves go into a
second member of the zip, one after another, whose manifest (name and shape of every array) and
sha256 the metadata records. Loading checks the manifest (float32 only, at most two axes, the sizes
add up to the member's recorded size, at most :data:`MAX_TENSOR_BYTES`) before a byte is read,
streams the member within that size checking its sha256, and hands each set to its TensorSet
while the pickle is read. Nothing in that path can run code or allocate more than the manifest says.
"""

from __future__ import annotations

import contextlib
import contextvars
import tempfile
from pathlib import Path

import numpy as np

from sentclf.errors import ModelFileError

MEMBER = "tensors.f32"
MAX_TENSOR_BYTES = 2 << 30  # a whole BERT-base is 0.44 GB: more is a hostile or broken file
MAX_ARRAYS = 10_000
_saving: contextvars.ContextVar = contextvars.ContextVar("tensors_saving", default=None)
_loading: contextvars.ContextVar = contextvars.ContextVar("tensors_loading", default=None)


class TensorSet:
    """Named float32 arrays that a model file stores outside its pickle (see the module's text)."""

    def __init__(self, arrays: dict):
        self.arrays = {name: np.ascontiguousarray(a, dtype=np.float32) for name, a in arrays.items()}

    def __getstate__(self):
        bag = _saving.get()
        if bag is None:  # copied or sent to another process: the arrays travel as they are
            return {"arrays": self.arrays}
        bag.append(self.arrays)
        return {"set": len(bag) - 1, "names": list(self.arrays)}

    def __setstate__(self, state):
        if "arrays" in state:
            self.arrays = state["arrays"]
            return
        sets = _loading.get()
        index = state.get("set")
        if sets is None or not isinstance(index, int) or not 0 <= index < len(sets):
            raise ModelFileError("the file refers to weight arrays it does not hold")
        if list(sets[index]) != state.get("names"):
            raise ModelFileError("the weight arrays' names do not match the model's")
        self.arrays = sets[index]


@contextlib.contextmanager
def collecting():
    """While pickling: every TensorSet pickled adds its arrays to the yielded list instead."""
    bag: list = []
    token = _saving.set(bag)
    try:
        yield bag
    finally:
        _saving.reset(token)


def manifest(sets: list) -> list:
    """[[set, name, shape], ...] in the order the arrays' bytes follow one another."""
    return [[i, name, list(a.shape)] for i, arrays in enumerate(sets) for name, a in arrays.items()]


def blocks(sets: list):
    """The member's bytes, an array at a time (a function, so the archive can read them twice)."""

    def each():
        for arrays in sets:
            for array in arrays.values():
                yield np.ascontiguousarray(array, dtype="<f4").tobytes()

    return each


def check_manifest(entries, declared) -> int:
    """The number of bytes the manifest's arrays take, after checking its form and sizes."""
    if not isinstance(entries, list) or len(entries) > MAX_ARRAYS or not isinstance(declared, int):
        raise ModelFileError("the weight arrays' manifest is corrupt")
    total = 0
    for entry in entries:
        ok = isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int) and isinstance(entry[1], str)
        shape = entry[2] if ok else None
        if (
            not ok
            or not isinstance(shape, list)
            or len(shape) > 2
            or not all(isinstance(d, int) and 0 <= d < 1 << 31 for d in shape)
        ):
            raise ModelFileError("the weight arrays' manifest is corrupt")
        total += 4 * int(np.prod(shape, dtype=np.int64))
    if total != declared or total > MAX_TENSOR_BYTES:
        raise ModelFileError(
            f"the weight arrays take {total:,} bytes and the file records {declared:,} (at most {MAX_TENSOR_BYTES:,})"
        )
    return total


def read_sets(path, meta: dict) -> list:
    """The arrays the metadata's manifest names, read from the file's member, checked as above."""
    from sentclf import archive

    entries = meta.get("tensors")
    try:
        check_manifest(entries, meta.get("extra", {}).get("bytes") if isinstance(meta.get("extra"), dict) else None)
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}: remake the file with 'sentclf train'") from None
    with tempfile.TemporaryDirectory(prefix="sentclf-") as folder:
        local = Path(folder) / MEMBER
        archive.read_extra(path, meta, local)
        flat = np.fromfile(local, dtype="<f4")
    sets: list = []
    start = 0
    for index, name, shape in entries or []:
        size = int(np.prod(shape, dtype=np.int64))
        while len(sets) <= index:
            sets.append({})
        sets[index][name] = flat[start : start + size].reshape(shape).astype(np.float32, copy=False)
        start += size
    return sets


@contextlib.contextmanager
def providing(sets: list):
    """While unpickling: TensorSets take their arrays from ``sets``."""
    token = _loading.set(sets)
    try:
        yield
    finally:
        _loading.reset(token)
