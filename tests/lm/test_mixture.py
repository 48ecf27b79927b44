"""The neural LM mixed with Kneser-Ney: λ fitted by EM on held-out text, stored in the file, used by
lm perplexity and lm next; files made before the mixture behave as they did."""

import json
import math

import numpy as np
import pytest

from sentclf.lm.mixture import fit_lambda, mixed_log_probs
from tests.cli.test_lm import pets_lm as pets_lm
from tests.cli.test_lm import run


def test_mixture_em_finds_the_maximum_likelihood_lambda():
    rng = np.random.default_rng(0)
    neural = np.log(rng.uniform(0.01, 0.5, 2000))
    ngram = np.log(rng.uniform(0.01, 0.5, 2000))
    lam = fit_lambda(neural, ngram)
    grid = np.linspace(0.001, 0.999, 999)
    likelihood = [mixed_log_probs(neural, ngram, g).sum() for g in grid]
    assert lam == pytest.approx(grid[int(np.argmax(likelihood))], abs=2e-3)
    assert mixed_log_probs(neural, ngram, lam).sum() >= max(neural.sum(), ngram.sum())  # never worse than either


def test_mixture_lambda_goes_to_the_better_model_and_mixes_by_hand():
    good, bad = np.log(np.full(100, 0.5)), np.log(np.full(100, 0.01))
    assert fit_lambda(good, bad) > 0.95 and fit_lambda(bad, good) < 0.05
    mixed = mixed_log_probs(np.log([0.2]), np.log([0.6]), 0.25)
    assert mixed[0] == pytest.approx(math.log(0.25 * 0.2 + 0.75 * 0.6))
    assert fit_lambda(np.array([]), np.array([])) == 0.5


def test_mixture_is_stored_reported_and_used_by_next(pets_lm, fixtures):
    path, result = pets_lm
    assert "mixture λ·neural + (1 − λ)·Kneser-Ney, λ = " in result.stdout
    report = json.loads(run("lm", "perplexity", path, fixtures / "pets.txt", "--json").stdout)
    mixture, neural, ngram = report["mixture"], report["perplexity"], report["baseline"]["perplexity"]
    assert 0 < mixture["lambda"] < 1 and mixture["perplexity"] < max(neural, ngram)
    table = run("lm", "perplexity", path, fixtures / "pets.txt").stdout
    assert "mixture" in table.splitlines()[-1]
    mixed = json.loads(run("lm", "next", path, "the dog gets", "--json").stdout)
    alone = json.loads(run("lm", "next", path, "the dog gets", "--json", "--no-mix").stdout)
    assert mixed[0]["word"] == alone[0]["word"] == "fed"
    assert [r["probability"] for r in mixed] != [r["probability"] for r in alone]
    assert sum(r["probability"] for r in mixed) <= 1 + 1e-9


def legacy_copy(path, legacy):
    """The LM file as sentclf wrote it before the mixture and the separate training text: no λ, and
    the training ids and document lengths inside lm.npz."""
    import io

    from sentclf import archive
    from sentclf.lm import lmfile
    from sentclf.lm.encoding import BOS_ID, EOS_ID
    from sentclf.lm.tokenfile import scratch_folder

    meta = archive.read_metadata(path, archive.LM_FORMAT)
    with np.load(io.BytesIO(archive.read_payload(path, meta, lmfile.PAYLOAD))) as stored:
        arrays = {name: stored[name] for name in stored.files}
    with scratch_folder() as folder:
        tokens = np.asarray(lmfile.training_text(path, lmfile.load(path), folder).tokens)
    tokens = tokens[tokens != BOS_ID]
    ends = np.flatnonzero(tokens == EOS_ID)
    arrays.update(train_ids=tokens[tokens != EOS_ID], train_lengths=np.diff(np.concatenate([[-1], ends])) - 1)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    dropped = ("mixture", "training_text", "extra", "payload", "format", "format_version", "created", "environment")
    old = {k: v for k, v in meta.items() if k not in dropped}
    archive.write_archive(legacy, archive.LM_FORMAT, old, lmfile.PAYLOAD, buffer.getvalue())


def test_mixture_absent_from_old_files_changes_nothing(pets_lm, fixtures, tmp_path):
    from sentclf import archive

    path, _ = pets_lm
    legacy = tmp_path / "old.lm"
    legacy_copy(path, legacy)
    assert "mixture" not in archive.read_metadata(legacy, archive.LM_FORMAT)
    report = json.loads(run("lm", "perplexity", legacy, fixtures / "pets.txt", "--json").stdout)
    assert "mixture" not in report
    new = json.loads(run("lm", "perplexity", path, fixtures / "pets.txt", "--json").stdout)
    assert report["perplexity"] == new["perplexity"] and report["baseline"] == new["baseline"]
    assert json.loads(run("lm", "next", legacy, "the dog gets", "--json").stdout) == json.loads(
        run("lm", "next", path, "the dog gets", "--json", "--no-mix").stdout
    )
