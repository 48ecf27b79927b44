"""``predict --jobs N``: the batches tokenized and scored in N forked worker processes, while this
process reads the input and writes the rows in input order.

For a fast model, tokenizing and scoring are pure-Python or small-numpy work under one GIL, so one
process uses one core however many the machine has (bench/README.md, "Distillation"). Workers are
forked after the model is loaded, so they share its arrays and start at once; each gets only the
batch's texts and sends back its probabilities, labels and empty flags. The pool starts only once
the input has outlasted :data:`POOL_FROM_BATCHES` batches: a short input is scored here, with no
process started. Nothing is scored before the fork, so a model that builds native state (an ONNX
session) on first use builds it in each worker, never shares it across a fork.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import sys
import traceback

from sentclf.errors import SentclfError, WorkerError

POOL_FROM_BATCHES = 3  # an input of at most this many batches is scored in this process
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: enough to keep it busy while this process writes
POLL_SECONDS = 1.0  # how often a wait for results checks that the workers are alive


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Forking a process that has loaded numpy is safe on Linux; macOS's system libraries are not
    fork-safe, and Windows has no fork: there, one process."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def worker_count(jobs: int | None, fast_in_python: bool) -> int:
    """The processes for ``--jobs``: N; -1 every core; None (the default) every core for a model that
    says its scoring is Python-bound (the distilled student), else 1 (an encoder's ONNX session
    already spreads over the cores)."""
    if not can_fork():
        return 1
    if jobs is None:
        return available_cores() if fast_in_python else 1
    return available_cores() if jobs == -1 else jobs


def _work(scorer, trained, tasks, results) -> None:
    """A worker: score each (number, texts) task until the None that ends the work. A failure is
    sent back, to be raised where the rows are written: sentclf's own errors as they are, anything
    else as a WorkerError carrying the worker's traceback (an exception may not pickle)."""
    try:
        while (task := tasks.get()) is not None:
            number, texts = task
            try:
                results.put((number, scorer.score_texts(texts, trained)))
            except SentclfError as exc:
                results.put((number, exc))
            except Exception:
                results.put((number, WorkerError(f"a scoring worker failed:\n{traceback.format_exc()}")))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: this process's parent reports it
        pass


class ScoringPool:
    """Worker processes forked from this one, scoring batches of texts sent through a queue."""

    def __init__(self, scorer, trained, jobs: int):
        prepare = getattr(scorer.pipeline, "prepare_for_batches", None)
        if prepare is not None:
            prepare()
        context = multiprocessing.get_context("fork")
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.workers = [
            context.Process(target=_work, args=(scorer, trained, self.tasks, self.results), daemon=True)
            for _ in range(jobs)
        ]
        for worker in self.workers:
            worker.start()

    def send(self, number: int, texts: list) -> None:
        self.tasks.put((number, texts))

    def receive(self) -> tuple:
        """(number, (empty, proba, labels)) of a finished batch, in the order they finish."""
        while True:
            try:
                number, result = self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                dead = [w.exitcode for w in self.workers if not w.is_alive()]
                if dead:
                    raise WorkerError(
                        f"a scoring worker process stopped (exit code {dead[0]}): out of memory? "
                        "Run again with --jobs 1, or with fewer jobs"
                    ) from None
                continue
            if isinstance(result, SentclfError):
                raise result
            return number, result

    def close(self, finished: bool) -> None:
        """Stop the workers: let them end once every batch is back (``finished``), else (the reader
        stopped early: an error, or ``| head``) stop them at once, their queued work unwanted."""
        if finished:
            for _ in self.workers:
                self.tasks.put(None)
            for worker in self.workers:
                worker.join(timeout=5)
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        self.tasks.cancel_join_thread()  # nothing reads what is left in it now
        self.tasks.close()
        self.results.close()


class InOrder:
    """Batches sent to the pool, given back in the order they were sent whatever order they finish in."""

    def __init__(self):
        self.waiting: dict = {}  # number -> documents, sent and not yet given back
        self.done: dict = {}  # number -> result, finished before an earlier batch
        self.following = 0

    def __len__(self) -> int:
        return len(self.waiting)

    def finished(self, number: int, result) -> list:
        """The (documents, result) pairs that are next in order now that batch ``number`` is done."""
        self.done[number] = result
        out = []
        while self.following in self.done:
            out.append((self.waiting.pop(self.following), self.done.pop(self.following)))
            self.following += 1
        return out


def scored_batches(scorer, documents, batch_size: int, jobs: int, trained=None):
    """(documents, (empty, proba, labels)) of each batch in input order (see Scorer.score_texts):
    scored by ``jobs`` worker processes once the input is longer than :data:`POOL_FROM_BATCHES`
    batches, else here."""
    iterator = iter(documents)
    batches = iter(lambda: list(itertools.islice(iterator, batch_size)), [])
    first = list(itertools.islice(batches, POOL_FROM_BATCHES + 1))
    if len(first) <= POOL_FROM_BATCHES:
        for batch in first:
            yield batch, scorer.score_texts([doc.text for doc in batch], trained)
        return
    pool, order, finished = ScoringPool(scorer, trained, jobs), InOrder(), False
    try:
        for number, batch in enumerate(itertools.chain(first, batches)):
            pool.send(number, [doc.text for doc in batch])
            order.waiting[number] = batch
            while len(order) >= IN_FLIGHT_PER_WORKER * jobs:
                yield from order.finished(*pool.receive())
        while len(order):
            yield from order.finished(*pool.receive())
        finished = True
    finally:
        pool.close(finished)
