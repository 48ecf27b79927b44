"""Parallel work: a Dask cluster to connect to (:mod:`.cluster`), scoring and writing on it
(:mod:`.dask_scoring`), ``compare --jobs``'s fork-server processes (:mod:`.processes`) and the token
lists packed into arrays for them (:mod:`.packed`), and ``predict --jobs``'s forked scoring workers
(:mod:`.scoring_pool`)."""

from sentclf.errors import ConfigError


def check_process_count(jobs: int) -> None:
    """``--jobs`` as a number of processes (``compare``'s folds, ``predict``'s workers): 1, 2, ... or
    -1 for every core."""
    if jobs == 0 or jobs < -1:
        raise ConfigError(f"--jobs must be a number of processes (1, 2, ...) or -1 for every core, not {jobs}")
