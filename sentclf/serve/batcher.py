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
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


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
    seconds; at most ``max_queue`` texts wait. ``observe(n_texts)`` is told each batch's size."""

    score: Callable[[list], list]
    max_batch: int = 256
    max_wait: float = 0.005
    max_queue: int = 8192
    observe: Callable[[int], None] = lambda n: None
    jobs: deque = field(default_factory=deque)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0  # texts queued or being scored
    _task: asyncio.Task | None = None
    _executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "sentclf-score"))
    _stopping: bool = False

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

    async def _gather(self) -> list:
        while not self.jobs:
            self.arrived.clear()
            await self.arrived.wait()
        jobs = [self.jobs.popleft()]
        size = len(jobs[0].texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while size < self.max_batch:
            if not self.jobs:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self.arrived.clear()
                try:
                    await asyncio.wait_for(self.arrived.wait(), remaining)
                except asyncio.TimeoutError:
                    break
                continue
            if size + len(self.jobs[0].texts) > self.max_batch:
                break
            jobs.append(self.jobs.popleft())
            size += len(jobs[-1].texts)
        return jobs

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            jobs = await self._gather()
            texts = [text for job in jobs for text in job.texts]
            self.observe(len(texts))
            try:
                results = await loop.run_in_executor(self._executor, self.score, texts)
            except Exception as error:  # the scoring failed: every request of the batch hears why
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(error)
            else:
                start = 0
                for job in jobs:
                    if not job.future.done():  # a request that timed out has gone
                        job.future.set_result(results[start : start + len(job.texts)])
                    start += len(job.texts)
            finally:
                self.waiting -= len(texts)
