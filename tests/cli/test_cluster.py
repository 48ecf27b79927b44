"""predict, features and compare on a Dask cluster: a LocalCluster of 2 worker processes on this
machine (no network). Output row for row equal to the in-process commands."""

import json

import pytest

from tests.cli.test_cli import run

distributed = pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("dask.dataframe")

ROWS = [
    (f"r{i}", text, stars)
    for i, (text, stars) in enumerate([("great fun, thank you", 5), ("awful, lost my bag", 1)] * 40)
]


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("review_id,body,stars\n" + "".join(f'{i},"{t}",{s}\n' for i, t, s in ROWS) + 'r80,"",3\n')
    return path


@pytest.mark.parametrize("extra", [[], ["--neutral-band", "0.3"]])
def test_cluster_predict_equals_in_process_row_for_row(scheduler, trained_model, table, tmp_path, extra):
    base = [
        "predict",
        "-m",
        trained_model,
        table,
        "--text-col",
        "body",
        "--id-col",
        "review_id",
        "--keep-cols",
        "stars",
        *extra,
    ]
    here = run(*base, "-o", tmp_path / "here.parquet")
    there = run(*base, "-o", tmp_path / "there.parquet", "--scheduler", scheduler)
    assert here.exit_code == 0 and there.exit_code == 0, there.stderr
    assert "wrote 81 prediction(s)" in there.stderr and "on 2 worker(s)" in there.stderr and there.stdout == ""
    assert (tmp_path / "there.parquet").is_dir() and list((tmp_path / "there.parquet").glob("part.*.parquet"))
    rows = pq.read_table(tmp_path / "there.parquet").to_pylist()
    assert rows == pq.read_table(tmp_path / "here.parquet").to_pylist()
    assert rows[0]["review_id"] == "r0" and rows[-1]["empty"] is True
    assert rows[0]["label"] == "pos" and ("neutral" in {r["label"] for r in rows}) == bool(extra)
    again = run(*base, "-o", tmp_path / "there.parquet", "--scheduler", scheduler)
    assert again.exit_code == 1 and "already exists: pass --force" in again.stderr


def test_cluster_predict_on_parquet_in_many_partitions(scheduler, trained_model, tmp_path):
    import pyarrow as pa

    from sentclf.classify.config import ModelSource, OutputConfig, PredictConfig
    from sentclf.classify.prediction import predict
    from sentclf.data.inputs import Inputs

    texts = [t for _, t, _ in ROWS] * 5
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": list(range(len(texts))), "text": texts}), source, row_group_size=50)
    output = OutputConfig(path=str(tmp_path / "out.parquet"), scheduler=scheduler)
    done = predict(PredictConfig(Inputs((str(source),)), ModelSource(str(trained_model)), output))
    assert done.rows == 400 and done.partitions >= 1 and done.kind in {"lr", "mlp"}
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["id"] for r in out] == list(range(400))  # ids come back as the input's integers, in order
    here = run("predict", "-m", trained_model, source, "-o", tmp_path / "here.parquet")
    assert here.exit_code == 0 and pq.read_table(tmp_path / "here.parquet").to_pylist() == out


def test_cluster_features_equal_in_process(scheduler, table, tmp_path):
    base = ["features", table, "--text-col", "body", "--id-col", "review_id"]
    assert run(*base, "-o", tmp_path / "here.parquet").exit_code == 0
    there = run(*base, "-o", tmp_path / "there.parquet", "--scheduler", scheduler)
    assert there.exit_code == 0, there.stderr
    assert pq.read_table(tmp_path / "there.parquet").to_pylist() == pq.read_table(tmp_path / "here.parquet").to_pylist()


def test_cluster_compare_equals_jobs_1(scheduler, fixtures):
    base = ["compare", fixtures / "tiny.csv", "--cv", "3", "--features", "six", "--models", "lr", "--json", "-q"]
    one = json.loads(run(*base, "--jobs", "1").stdout)
    there = run(*base, "--scheduler", scheduler)
    assert there.exit_code == 0, there.stderr
    cells = json.loads(there.stdout)["cells"]
    assert [c["accuracy_mean"] for c in cells] == [c["accuracy_mean"] for c in one["cells"]]
    assert [[f["accuracy"] for f in c["folds"]] for c in cells] == [
        [f["accuracy"] for f in c["folds"]] for c in one["cells"]
    ]


def test_cluster_bad_input_is_one_error_line_and_nothing_at_the_output(scheduler, trained_model, table, tmp_path):
    out = tmp_path / "out.parquet"
    missing = run("predict", "-m", trained_model, table, "--text-col", "nope", "-o", out, "--scheduler", scheduler)
    assert missing.exit_code == 1 and "no column 'nope'" in missing.stderr and not out.exists()
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    bad = run("predict", "-m", trained_model, broken, "-o", out, "--scheduler", scheduler)
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ") and not out.exists()
    assert not list(tmp_path.glob(".out.parquet.*"))
    stdout = run("predict", "-m", trained_model, table, "--scheduler", scheduler)
    assert stdout.exit_code == 2 and "pass -o PATH.parquet" in stdout.stderr
    wrong = run("predict", "-m", trained_model, table, "-o", tmp_path / "x.csv", "--scheduler", scheduler)
    assert wrong.exit_code == 1 and "end it in .parquet" in wrong.stderr
    before = broken.read_bytes()
    clobber = run("predict", "-m", trained_model, broken, "-o", broken, "--force", "--scheduler", scheduler)
    assert clobber.exit_code == 1 and "is also the input" in clobber.stderr and broken.read_bytes() == before


def test_cluster_unreachable_scheduler_times_out_with_one_error_line(trained_model, table, tmp_path, monkeypatch):
    from sentclf.classify.parallel import cluster as dask_cluster

    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out.parquet"
    result = run("predict", "-m", trained_model, table, "-o", out, "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    assert (
        "--scheduler takes 'local'" in run("predict", "-m", trained_model, table, "-o", out, "--scheduler", "x").stderr
    )
    zero = run("predict", "-m", trained_model, table, "-o", out, "--scheduler", "local:0")
    assert zero.exit_code != 0 and zero.stderr.startswith("Error: --scheduler local:N takes a number of worker")
    assert "Traceback" not in zero.stderr and not out.exists()


def test_cluster_address_from_the_environment_only_with_an_output(trained_model, table, monkeypatch):
    monkeypatch.setenv("SENTCLF_SCHEDULER", "tcp://127.0.0.1:9")
    result = run("predict", "-m", trained_model, table, "--text-col", "body", "--jsonl")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 81  # stdout: scored here


def test_cluster_local_starts_its_own_cluster(trained_model, table, tmp_path):
    result = run(
        "predict",
        "-m",
        trained_model,
        table,
        "--text-col",
        "body",
        "-o",
        tmp_path / "o.parquet",
        "--scheduler",
        "local:1",
    )
    assert result.exit_code == 0, result.stderr
    assert "starting a local Dask cluster: 1 worker process(es)" in result.stderr
    assert len(pq.read_table(tmp_path / "o.parquet")) == 81
