"""Micro-batching: the texts of concurrent requests gathered into one scoring call.

A request puts its texts on a queue and awaits its answer; one task takes the first waiting
request, gathers more until ``max_batch`` texts or ``max_wait`` seconds, and scores them all in a
worker thread (so the event loop keeps reading requests meanwhile), then hands each request its
rows. The queue is bounded in texts: a request that would overfill it is refused at once
(:class:`Overloaded`, HTTP 429) rather than waiting behind a growing backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

if sys.version_info >= (3, 11):

    async def within(awaitable, seconds: float):
        """``awaitable``'s result, or TimeoutError after ``seconds`` (asyncio.wait_for before 3.12
        wraps the awaitable in a task of its own: a cost per request the server need not pay)."""
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # pragma: no cover
    within = asyncio.wait_for


QUIET_PASSES = 2  # a request takes about two passes of the event loop from its bytes to the queue


class Overloaded(Exception):
    """The queue holds as many texts as it may: come back later."""


class Stopped(Exception):
    """The batcher is stopping: no new work."""


@dataclass
class Job:
    texts: list
    future: asyncio.Future


@dataclass
class MicroBatcher:
    """``score(texts) -> list`` (one result per text) called on batches of at most ``max_batch``
    texts (a single request of more is scored on its own), gathered for at most ``max_wait``
    seconds; at most ``max_queue`` texts wait. ``observe(n_texts)`` is told each scored batch's size.

    A batch expected to take under ``inline_below`` seconds (from the seconds per text measured so
    far) is scored on the event loop itself: handing a millisecond of work to a thread and back
    costs more than the work, as each side waits for the other to release the GIL. Longer batches
    go to a worker thread, so the server keeps reading requests while the model computes."""

    score: Callable[[list], list]
    max_batch: int = 256
    max_wait: float = 0.005
    max_queue: int = 8192
    observe: Callable[[int], None] = lambda n: None
    inline_below: float = 0.005
    jobs: deque = field(default_factory=deque)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0  # texts queued or being scored
    _task: asyncio.Task | None = None
    _executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "sentclf-score"))
    _stopping: bool = False
    _per_text: float | None = None  # seconds per text of recent batches (None: not measured yet)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def submit(self, texts: list) -> list:
        """The results for ``texts``, once their batch is scored."""
        if self._stopping:
            raise Stopped("the server is shutting down")
        if self.waiting + len(texts) > self.max_queue:
            raise Overloaded(f"{self.waiting:,} texts are waiting (the queue holds {self.max_queue:,})")
        job = Job(list(texts), asyncio.get_running_loop().create_future())
        self.waiting += len(texts)
        self.jobs.append(job)
        self.arrived.set()
        return await job.future

    async def stop(self) -> None:
        """Score what is queued, then stop (the drain on SIGTERM: nothing accepted is dropped)."""
        self._stopping = True
        while self.waiting and self._task is not None and not self._task.done():
            await asyncio.sleep(0.005)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    def _drop_gone(self) -> None:
        """Requests that timed out while queued are not scored: their clients have had their 503."""
        while self.jobs and self.jobs[0].future.done():
            self.waiting -= len(self.jobs.popleft().texts)

    async def _gather(self) -> list:
        while True:
            self._drop_gone()
            if self.jobs:
                break
            self.arrived.clear()
            await self.arrived.wait()
        jobs = [self.jobs.popleft()]
        size = len(jobs[0].texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        quiet = 0  # passes of the event loop since a request last joined
        while size < self.max_batch:
            self._drop_gone()
            if self.jobs:
                if size + len(self.jobs[0].texts) > self.max_batch:
                    break
                jobs.append(self.jobs.popleft())
                size += len(jobs[-1].texts)
                quiet = 0
                continue
            # Waiting out max_wait when no request is on its way would leave the server idle: with
            # every client waiting for this batch, nobody else can join it. A pass of the event loop
            # reads and parses what has arrived, so passes that bring nobody mean the batch is whole.
            if quiet >= QUIET_PASSES or loop.time() >= deadline:
                break
            await asyncio.sleep(0)
            quiet += 1
        return jobs

    async def _score(self, loop, texts: list) -> list:
        inline = self._per_text is not None and self._per_text * len(texts) < self.inline_below
        if inline:
            results, seconds = self._timed(texts)
        else:
            results, seconds = await loop.run_in_executor(self._executor, self._timed, texts)
        per_text = seconds / len(texts)
        self._per_text = per_text if self._per_text is None else 0.7 * self._per_text + 0.3 * per_text
        return results

    def _timed(self, texts: list) -> tuple:
        """The results and the scoring thread's CPU seconds: unlike wall time, not inflated by
        waiting for the GIL while the event loop holds it."""
        began = time.thread_time()
        results = self.score(texts)
        return results, time.thread_time() - began

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            jobs = await self._gather()
            texts = [text for job in jobs for text in job.texts]
            try:
                results = await self._score(loop, texts)
            except Exception as error:  # the scoring failed: every request of the batch hears why
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(error)
            else:
                self.observe(len(texts))  # once scored: queued + scored counts every text taken
                start = 0
                for job in jobs:
                    if not job.future.done():  # a request that timed out has gone
                        job.future.set_result(results[start : start + len(job.texts)])
                    start += len(job.texts)
            finally:
                self.waiting -= len(texts)
