"""Worker threads for numpy loops."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor


class Workers:
    """A thread per core (at most 8), started on first use and owned by whoever made it: numpy
    releases the GIL inside its loops, so slices of one big array are processed in parallel."""

    def __init__(self, n_threads: int | None = None):
        self.n_threads = n_threads or min(os.cpu_count() or 1, 8)
        self._pool: ThreadPoolExecutor | None = None

    def map(self, function, items: list) -> list:
        """``[function(item) for item in items]``, on the threads when there are two items or more."""
        if len(items) < 2 or self.n_threads < 2:
            return [function(item) for item in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.n_threads, thread_name_prefix="sentclf")
        return list(self._pool.map(function, items))

    def __getstate__(self):  # threads are not copied or pickled: a copy starts its own
        return {"n_threads": self.n_threads, "_pool": None}
