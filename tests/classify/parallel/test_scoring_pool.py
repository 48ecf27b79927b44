"""predict --jobs: batches scored in forked workers come back in input order, equal to scoring in
this process; failures in a worker reach the caller as typed errors; short inputs start no pool."""

import os
import time

import numpy as np
import pytest
from click.testing import CliRunner

from sentclf.classify.modelfile import load
from sentclf.classify.parallel import scoring_pool
from sentclf.classify.parallel.scoring_pool import InOrder, scored_batches, worker_count
from sentclf.classify.prediction import Scorer
from sentclf.cli import cli
from sentclf.data.documents import Document
from sentclf.errors import DataError, WorkerError

pytestmark = pytest.mark.skipif(not scoring_pool.can_fork(), reason="worker processes are forked (Linux)")


def documents(n: int) -> list:
    words = ["a great film", "awful and boring", "I loved it!", "no, never again", ""]
    return [Document("t.txt", i + 1, f"{words[i % len(words)]} {i}" if i % 7 else "") for i in range(n)]


class FakeScorer:
    """Scores a batch by the numbers in its texts; the first batch is slow (so that it finishes after
    later ones), and a text names what to do: 'fail-data', 'fail-bug' or 'die'."""

    pipeline = None

    def score_texts(self, texts, trained=None):
        if "fail-data" in texts:
            raise DataError("t.txt line 9: no text")
        if "fail-bug" in texts:
            raise ValueError("a bug")
        if "die" in texts:
            os._exit(3)
        if texts[0] == "0":
            time.sleep(0.3)
        numbers = np.array([[float(t)] for t in texts])
        return [False] * len(texts), numbers, [str(int(v)) for v in numbers[:, 0]]


def plain(texts: list) -> list:
    return [Document("t.txt", i + 1, t) for i, t in enumerate(texts)]


def test_workers_give_batches_back_in_input_order():
    docs = plain([str(i) for i in range(40)])
    out = list(scored_batches(FakeScorer(), docs, 4, 2))
    assert [d.text for batch, _ in out for d in batch] == [str(i) for i in range(40)]
    assert [label for _, (_, _, labels) in out for label in labels] == [str(i) for i in range(40)]


def test_in_order_holds_a_batch_that_finished_early():
    order = InOrder()
    order.waiting.update({0: "a", 1: "b", 2: "c"})
    assert order.finished(1, "B") == []
    assert order.finished(0, "A") == [("a", "A"), ("b", "B")]
    assert order.finished(2, "C") == [("c", "C")] and len(order) == 0


def test_sentclf_errors_in_a_worker_are_raised_as_they_are():
    docs = plain([str(i) for i in range(30)] + ["fail-data"] + [str(i) for i in range(30)])
    with pytest.raises(DataError, match="line 9: no text"):
        list(scored_batches(FakeScorer(), docs, 4, 2))


def test_other_errors_in_a_worker_carry_its_traceback():
    docs = plain([str(i) for i in range(30)] + ["fail-bug"])
    with pytest.raises(WorkerError, match=r"(?s)a scoring worker failed.*ValueError: a bug"):
        list(scored_batches(FakeScorer(), docs, 4, 2))


def test_a_worker_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(scoring_pool, "POLL_SECONDS", 0.05)
    docs = plain([str(i) for i in range(30)] + ["die"])
    with pytest.raises(WorkerError, match=r"exit code 3.*--jobs 1"):
        list(scored_batches(FakeScorer(), docs, 4, 2))


def test_a_short_input_starts_no_pool(monkeypatch):
    def refuse(*args):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(scoring_pool, "ScoringPool", refuse)
    docs = plain([str(i) for i in range(12)])  # three batches of four: POOL_FROM_BATCHES
    out = list(scored_batches(FakeScorer(), docs, 4, 2))
    assert [label for _, (_, _, labels) in out for label in labels] == [str(i) for i in range(12)]


def test_a_real_model_scores_the_same_in_workers(trained_model):
    model = load(trained_model)
    docs = documents(90)
    here = list(Scorer.of(model).batches(docs, 8))
    there = list(Scorer.of(model, jobs=2).batches(docs, 8))
    assert Scorer.of(model, jobs=2).jobs == 2
    assert [d.line for b in there for d in b[0]] == list(range(1, 91))
    assert [e for b in there for e in b[1]] == [e for b in here for e in b[1]]
    assert np.allclose(np.vstack([b[2] for b in there]), np.vstack([b[2] for b in here]), atol=1e-12)
    assert [x for b in there for x in b[3]] == [x for b in here for x in b[3]]


def test_worker_count(monkeypatch):
    monkeypatch.setattr(scoring_pool, "available_cores", lambda: 4)
    assert worker_count(None, True) == 4 and worker_count(None, False) == 1
    assert worker_count(-1, False) == 4 and worker_count(3, False) == 3 and worker_count(1, True) == 1
    monkeypatch.setattr(scoring_pool, "can_fork", lambda: False)
    assert worker_count(-1, True) == 1 and worker_count(None, True) == 1


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_cli_predict_jobs_gives_the_rows_of_one_process(trained_model, tmp_path):
    lines = [d.text for d in documents(3500)]  # past three batches of a thousand: the pool starts
    path = tmp_path / "many.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = run("predict", "-m", trained_model, path, "--jsonl", "--jobs", "1")
    two = run("predict", "-m", trained_model, path, "--jsonl", "--jobs", "2")
    assert one.exit_code == 0 and two.exit_code == 0, two.stderr
    assert two.stdout == one.stdout and len(two.stdout.splitlines()) == 3500
    assert "scored 3500 document(s)" in two.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--jobs", "0"], 1, "--jobs must be a number of processes (1, 2, ...) or -1"),
        (["--jobs", "2", "--scheduler", "local", "-o", "out.parquet"], 2, "--scheduler and --jobs cannot go together"),
    ],
)
def test_cli_predict_refuses_bad_jobs(trained_model, tmp_path, args, code, message):
    path = tmp_path / "t.txt"
    path.write_text("a great film\n", encoding="utf-8")
    result = run("predict", "-m", trained_model, path, *args)
    assert result.exit_code == code and message in result.stderr and result.stdout == ""


def test_a_reader_that_stops_early_stops_the_workers_at_once(monkeypatch):
    """``predict big.txt | head``: the rows stop being read, the generator is closed, and the
    workers are stopped without finishing the batches queued for them."""
    pools = []
    original = scoring_pool.ScoringPool.close

    def close(self, finished):
        pools.append((self, finished))
        original(self, finished)

    monkeypatch.setattr(scoring_pool.ScoringPool, "close", close)
    rows = scored_batches(FakeScorer(), plain([str(i) for i in range(400)]), 4, 2)
    next(rows)
    rows.close()
    ((pool, finished),) = pools
    assert not finished and not any(worker.is_alive() for worker in pool.workers)
    list(scored_batches(FakeScorer(), plain([str(i) for i in range(40)]), 4, 2))
    assert pools[1][1] is True  # read to the end: the workers were let finish
