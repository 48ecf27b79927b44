"""Micro-batching: concurrent requests scored together, each given its own rows in order; the queue
bounded; what was accepted is scored before the batcher stops."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from sentclf.serve.batcher import MicroBatcher, Overloaded, Stopped, within


def recording(delay: float = 0.0):
    calls = []

    def score(texts):
        calls.append(list(texts))
        time.sleep(delay)
        return [f"<{t}>" for t in texts]

    return score, calls


def test_concurrent_requests_share_batches_and_get_their_own_answers():
    score, calls = recording(0.01)

    async def main():
        batcher = MicroBatcher(score, max_batch=64, max_wait=0.02)
        batcher.start()
        requests = [[f"r{i}t{j}" for j in range(i % 3 + 1)] for i in range(40)]
        answers = await asyncio.gather(*(batcher.submit(texts) for texts in requests))
        await batcher.stop()
        return requests, answers

    requests, answers = asyncio.run(main())
    assert answers == [[f"<{t}>" for t in texts] for texts in requests]
    assert len(calls) < len(requests) and max(map(len, calls)) > 3  # gathered, not one call per request
    assert all(len(call) <= 64 for call in calls)


def test_a_batch_never_exceeds_max_batch_but_one_large_request_is_scored_whole():
    score, calls = recording()

    async def main():
        batcher = MicroBatcher(score, max_batch=5, max_wait=0.05)
        batcher.start()
        await asyncio.gather(batcher.submit(["a"] * 3), batcher.submit(["b"] * 3), batcher.submit(["c"] * 8))
        await batcher.stop()

    asyncio.run(main())
    assert sorted(map(len, calls)) == [3, 3, 8]


def test_a_full_queue_refuses_at_once():
    score, _ = recording(0.2)

    async def main():
        batcher = MicroBatcher(score, max_batch=4, max_wait=0.0, max_queue=6)
        batcher.start()
        first = asyncio.ensure_future(batcher.submit(["a"] * 4))
        await asyncio.sleep(0.01)
        with pytest.raises(Overloaded, match="4 texts are waiting"):
            await batcher.submit(["b"] * 3)
        assert await first == ["<a>"] * 4
        assert await batcher.submit(["c"] * 3) == ["<c>"] * 3  # room again once scored
        await batcher.stop()
        assert batcher.waiting == 0

    asyncio.run(main())


def test_stop_scores_what_was_accepted_then_refuses():
    score, _ = recording(0.05)

    async def main():
        batcher = MicroBatcher(score, max_batch=2, max_wait=0.0)
        batcher.start()
        pending = [asyncio.ensure_future(batcher.submit([f"t{i}"])) for i in range(6)]
        await asyncio.sleep(0)
        await batcher.stop()
        assert [p.result() for p in pending] == [[f"<t{i}>"] for i in range(6)]
        with pytest.raises(Stopped):
            await batcher.submit(["late"])

    asyncio.run(main())


def test_a_failing_score_fails_its_batch_only():
    def score(texts):
        if "boom" in texts:
            raise RuntimeError("boom")
        return texts

    async def main():
        batcher = MicroBatcher(score, max_batch=1, max_wait=0.0)
        batcher.start()
        with pytest.raises(RuntimeError):
            await batcher.submit(["boom"])
        assert await batcher.submit(["fine"]) == ["fine"]
        await batcher.stop()

    asyncio.run(main())


def test_a_quick_model_is_scored_on_the_event_loop_and_a_slow_one_in_a_thread():
    """Handing a millisecond of work to a thread costs more than the work; a long batch must not
    hold the event loop, which keeps reading requests."""

    def threads_of(work: int) -> list:
        names = []

        def score(texts):
            names.append(threading.current_thread().name)
            for _ in range(work):  # CPU, which is what is measured (a sleep would count as quick)
                pass
            return texts

        async def main():
            batcher = MicroBatcher(score, max_wait=0.0)
            batcher.start()
            for i in range(4):
                await batcher.submit([f"t{i}"])
            await batcher.stop()

        asyncio.run(main())
        return names

    quick, slow = threads_of(0), threads_of(2_000_000)  # a few tens of milliseconds
    assert quick[0].startswith("sentclf-score") and quick[1:] == ["MainThread"] * 3  # measured first
    assert all(name.startswith("sentclf-score") for name in slow)


def test_a_lone_request_does_not_wait_out_max_wait():
    """The batch is scored once the event loop brings nobody else, not after max_wait."""

    async def main():
        batcher = MicroBatcher(lambda texts: texts, max_wait=30.0)
        batcher.start()
        began = time.perf_counter()
        await batcher.submit(["alone"])
        waited = time.perf_counter() - began
        await batcher.stop()
        return waited

    assert asyncio.run(main()) < 15.0  # half of max_wait: not a speed limit, a sign it did not wait


def test_a_request_that_timed_out_in_the_queue_is_not_scored():
    score, calls = recording(0.2)

    async def main():
        batcher = MicroBatcher(score, max_batch=1, max_wait=0.0)
        batcher.start()
        first = asyncio.ensure_future(batcher.submit(["first"]))
        await asyncio.sleep(0.05)  # "first" is being scored
        with pytest.raises(asyncio.TimeoutError):
            await within(batcher.submit(["gave up"]), 0.01)
        assert await batcher.submit(["next"]) == ["<next>"]
        await first
        await batcher.stop()
        assert batcher.waiting == 0

    asyncio.run(main())
    assert calls == [["first"], ["next"]]
