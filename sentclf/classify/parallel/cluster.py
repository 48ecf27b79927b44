"""A Dask cluster to run on: ``--scheduler local`` starts a LocalCluster on this machine (one
single-threaded worker process per core; ``local:N`` for N of them), ``--scheduler tcp://HOST:8786``
(or ``$SENTCLF_SCHEDULER``, read by the CLI) connects to a running one, within a timeout.
"""

from __future__ import annotations

import contextlib
import logging
import os

from sentclf.errors import ConfigError, SchedulerError

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before giving up
SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")  # the addresses distributed connects to
# imported once by the server the workers are forked from (distributed's own list, and scikit-learn)
FORKSERVER_PRELOAD = (
    "distributed",
    "numpy",
    "pandas",
    "pyarrow",
    "sklearn.pipeline",
    "sentclf.classify.parallel.dask_scoring",
    "sentclf.classify.prediction",
)
log = logging.getLogger("sentclf")


def require_dask():
    try:
        import dask.dataframe  # noqa: F401 - checks that the dataframe extra is there too
        import distributed
    except ImportError:
        raise ConfigError("--scheduler needs Dask: pip install 'sentclf[dask]'") from None
    return distributed


def is_local(scheduler: str) -> bool:
    """Whether --scheduler asks for a LocalCluster ('local' or 'local:N'); anything else must be an address."""
    if scheduler == "local" or scheduler.startswith("local:"):
        local_workers(scheduler)  # checks N
        return True
    scheme, sep, _ = scheduler.partition("://")
    if not sep or scheme not in SCHEMES:
        raise ConfigError(
            f"--scheduler takes 'local', 'local:N' or an address such as tcp://HOST:8786 "
            f"({', '.join(s + '://' for s in SCHEMES)}), not '{scheduler}'"
        )
    return False


@contextlib.contextmanager
def connect(scheduler: str, timeout: float | None = None):
    """A dask.distributed Client: on a new LocalCluster ('local') or on the scheduler at an address,
    given up after ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`)."""
    distributed = require_dask()
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    with contextlib.ExitStack() as stack:
        if is_local(scheduler):
            n = local_workers(scheduler)
            log.info("starting a local Dask cluster: %d worker process(es), one thread each", n)
            with forked_workers():
                cluster = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                )
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise SchedulerError(
                    f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({type(exc).__name__}): "
                    "start one with 'dask scheduler' and 'dask worker ADDRESS', or use --scheduler local"
                ) from None
        stack.callback(client.close)  # closed, not exited as a context: it may be opened on another thread
        yield client


@contextlib.contextmanager
def forked_workers():
    """Start a local cluster's workers by forking one server process that imported Dask, pandas and
    scikit-learn once, where the platform has one (not Windows), instead of spawning fresh
    interpreters that each import them (what it saves is in bench/README.md, "Scale"). A plain fork of
    this process is not safe (it has threads; a probe hung)."""
    import multiprocessing

    import dask

    if "forkserver" not in multiprocessing.get_all_start_methods():
        yield
        return
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context().set_forkserver_preload(list(FORKSERVER_PRELOAD))  # after distributed's own list
        yield


@contextlib.contextmanager
def connecting(scheduler: str, timeout: float | None = None):
    """:func:`connect` started on a thread: yields a function that waits for the Client, so a local
    cluster's workers start while this process reads the input's metadata and loads the model. A bad
    --scheduler fails at once; leaving the block waits for the start-up to end, then shuts it down."""
    from concurrent.futures import ThreadPoolExecutor

    require_dask()
    is_local(scheduler)  # a bad --scheduler fails here, before any work

    def open_client():
        stack = contextlib.ExitStack()
        try:
            return stack, stack.enter_context(connect(scheduler, timeout))
        except BaseException:
            stack.close()
            raise

    with ThreadPoolExecutor(1, thread_name_prefix="sentclf-connect") as pool:
        pending = pool.submit(open_client)
        try:
            yield lambda: pending.result()[1]
        finally:
            if pending.exception() is None:  # waits for the start-up to finish, then shuts the cluster
                pending.result()[0].close()


def local_workers(scheduler: str) -> int:
    """Worker processes of 'local' (one per core) or 'local:N' (N)."""
    if scheduler == "local":
        return os.cpu_count() or 1
    count = scheduler.partition(":")[2]
    if not count.isdigit() or int(count) < 1:
        raise ConfigError(f"--scheduler local:N takes a number of worker processes (1, 2, ...), not '{count}'")
    return int(count)
