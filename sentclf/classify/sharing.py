"""Data shared once per worker process, for joblib's process pool (``compare --jobs N``).

joblib memory-maps large numpy arrays for its workers, but a list of token lists is pickled into
every task: on MR, 1.7 MB dumped and loaded again for each of the 40 fold tasks, which made
``--jobs 2`` slower than ``--jobs 1``. :class:`SharedTokens` pickles as the path of a file written
once; each worker loads that file the first time a task needs it and keeps it for the next tasks.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import shutil
import tempfile


class SharedTokens:
    """Token lists that travel to worker processes as a file path (see the module's docstring)."""

    def __init__(self, tokens: list, folder: str):
        self.path = os.path.join(folder, "tokens.pickle")
        with open(self.path, "wb") as handle:
            pickle.dump(tokens, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def __reduce__(self):
        return load_tokens, (self.path,)


@functools.lru_cache(maxsize=2)
def load_tokens(path: str) -> list:
    """The token lists of a :class:`SharedTokens` file, loaded once per process. The file is one this
    process's parent wrote a moment ago in its own private temporary folder."""
    with open(path, "rb") as handle:
        return pickle.load(handle)  # our own file, see above


@contextlib.contextmanager
def shared_tokens(tokens: list, jobs: int):
    """``tokens`` as they should be handed to joblib tasks: the list itself when everything runs in
    this process (``jobs == 1``), else a :class:`SharedTokens` whose file lives while the block runs."""
    if jobs == 1:
        yield tokens
        return
    folder = tempfile.mkdtemp(prefix="sentclf-shared-")
    try:
        yield SharedTokens(tokens, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
