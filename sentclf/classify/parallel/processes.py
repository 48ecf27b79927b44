"""Worker processes for ``compare --jobs N``: forked from a server process that imported the
cross-validation code once, and started before this process has imported it.

joblib's default (loky) spawns fresh interpreters that each import scikit-learn, pandas and scipy
at the first task, after this process has paid the same imports: seconds of CPU apiece, which on 2
cores ate the gain of running the folds in parallel (bench/README.md, "compare --jobs"). Here a forkserver
is started first thing: it imports :data:`PRELOAD` on one core while this process reads the data and
imports on the other, and the workers are forks of it, ready at once. Each worker runs its fold with
one BLAS thread, as loky would, so N workers use N cores and no more.
"""

from __future__ import annotations

import contextlib
import multiprocessing

PRELOAD = ("sentclf.classify.validation.crossval", "sentclf.classify.models.pipeline")


def start_workers(jobs: int):
    """The multiprocessing context of the fold workers, its server already importing (None with
    one job, or where the platform has no forkserver: joblib's default then)."""
    if jobs == 1 or "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    forkserver.ensure_running()
    return context


def fold_backend(context, jobs: int):
    """joblib's configuration for the folds: a process pool forked from ``context``'s server."""
    if context is None:
        return contextlib.nullcontext()
    from joblib import parallel_config

    return parallel_config(backend="multiprocessing", n_jobs=jobs, context=context)


def one_thread(limit: bool):
    """Inside a fold worker: one BLAS/OpenMP thread (loky's rule), so the workers do not oversubscribe."""
    if not limit:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)
