"""Parallel work: a Dask cluster to connect to (:mod:`.cluster`), scoring and writing on it
(:mod:`.dask_scoring`), ``compare --jobs``'s fork-server processes (:mod:`.processes`) and the token
lists packed into arrays for them (:mod:`.packed`), and ``predict --jobs``'s forked scoring workers
(:mod:`.scoring_pool`)."""
