"""The distilled student: its gradient against finite differences, its runtime against the network
it was trained as, soft targets, and a file that loads without scikit-learn."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from sentclf.classify.models.student import AUTO_STEPS, MAX_AUTO_EPOCHS, MIN_STEPS, DistilledStudent, auto_epochs
from sentclf.classify.models.student_runtime import (
    KeyIndex,
    StudentRuntime,
    WordIndex,
    documents_of,
    from_plain,
    lookup,
    ngram_keys,
    segment_sums,
    word_ids,
)
from sentclf.errors import ModelFileError
from sentclf.text import tokenize_all, tokenize_batch

DOCS = tokenize_all(
    [
        "a great and wonderful film, I loved it!",
        "great acting, lovely music",
        "you will love this warm story",
        "no, this was awful and boring",
        "a terrible, dull and bad film",
        "I hated the awful ending",
    ]
)
LABELS = np.array(["pos"] * 3 + ["neg"] * 3)


def test_ngram_keys_stay_inside_documents_and_skip_unknown_words():
    ids, lengths = word_ids([["a", "b", "c"], ["b", "x", "a", "b"]], {"a": 0, "b": 1, "c": 2})
    assert ids.tolist() == [0, 1, 2, 1, -1, 0, 1] and lengths.tolist() == [3, 4]
    doc_of = documents_of(lengths)
    keys, docs = ngram_keys(ids, doc_of, 2, 3)
    # (a b) (b c) in the first; (b x) and (x a) hold an unknown word; (c b) crosses documents
    assert keys.tolist() == [0 * 3 + 1, 1 * 3 + 2, 0 * 3 + 1] and docs.tolist() == [0, 0, 1]
    assert ngram_keys(ids, doc_of, 3, 3)[0].tolist() == [0 * 9 + 1 * 3 + 2]


def test_segment_sums_gives_empty_documents_zero():
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert segment_sums(values, np.array([0, 0, 2]), 4).tolist() == [[4, 6], [0, 0], [5, 6], [0, 0]]


@pytest.mark.parametrize("hidden", [0, 5])
def test_gradient_matches_finite_differences(hidden):
    rng = np.random.default_rng(0)
    student = DistilledStudent(hidden=hidden, l2=0.01)
    wide = sparse.random(7, 9, density=0.4, random_state=0, format="csr", dtype=np.float64)
    deep = rng.standard_normal((7, 4))
    q = rng.dirichlet(np.ones(3), size=7)
    w = rng.uniform(0.5, 2, size=7)
    params = {"wide": rng.standard_normal((9, 3)) * 0.3, "b2": rng.standard_normal(3) * 0.1}
    if hidden:
        params |= {"W1": rng.standard_normal((4, hidden)), "b1": rng.standard_normal(hidden) * 0.1}
        params["W2"] = rng.standard_normal((hidden, 3)) * 0.3
    else:
        params["W2"] = rng.standard_normal((4, 3)) * 0.3
    _, grads = student.loss_and_grads(params, wide, deep, q, w)
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + 1e-6
            up = student.loss_and_grads(params, wide, deep, q, w)[0]
            value[index] = saved - 1e-6
            down = student.loss_and_grads(params, wide, deep, q, w)[0]
            value[index] = saved
            numeric[index] = (up - down) / 2e-6
        assert np.allclose(grads[name], numeric, rtol=1e-3, atol=1e-5), name
    rows = np.array([1, 4])
    assert np.allclose(student.loss_and_grads(params, wide, deep, q, w, rows=rows)[1]["wide"], grads["wide"][rows])


@pytest.mark.parametrize("hidden", [0, 8])
def test_runtime_scores_what_the_network_scores(hidden):
    student = DistilledStudent(hidden=hidden, epochs=20, batch_size=2, learning_rate=1e-2).fit(DOCS, LABELS)
    unseen = tokenize_all(["a great film", "an awful, boring film", "zebra", ""])
    for docs in (DOCS, unseen):
        assert np.allclose(student.runtime_.decision_scores(docs), student.network_scores(docs), atol=1e-4)
    assert isinstance(student.runtime_, StudentRuntime)
    assert student.predict(DOCS).tolist() == LABELS.tolist()
    assert student.runtime_.predict_proba(["a great film"]).shape == (1, 2)  # strings are tokenized


def test_soft_targets_are_learned_not_the_labels():
    # the targets say the opposite of the labels: the student follows the targets
    flipped = np.where(LABELS == "pos", 0, 1)
    targets = np.eye(2)[flipped] * 0.9 + 0.05
    student = DistilledStudent(hidden=0, epochs=30, batch_size=2).fit(DOCS, LABELS, targets=targets)
    assert (student.predict(DOCS) != LABELS).all()
    with pytest.raises(ValueError, match="rows of probabilities"):
        DistilledStudent().fit(DOCS, LABELS, targets=np.ones((6, 2)))
    with pytest.raises(ValueError, match="one label per document"):
        DistilledStudent().fit(DOCS, LABELS[:3])


def test_fit_is_reproducible_and_seeded():
    a = DistilledStudent(hidden=4, epochs=2, random_state=1).fit(DOCS, LABELS).runtime_.decision_scores(DOCS)
    b = DistilledStudent(hidden=4, epochs=2, random_state=1).fit(DOCS, LABELS).runtime_.decision_scores(DOCS)
    c = DistilledStudent(hidden=4, epochs=2, random_state=2).fit(DOCS, LABELS).runtime_.decision_scores(DOCS)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_auto_epochs_make_about_the_steps_budget_in_whole_passes():
    # 230,000 texts in batches of 256 are 899 steps a pass: two passes; 73,000 are 286: seven
    assert auto_epochs(899) == 2 and auto_epochs(286) == 7
    assert auto_epochs(AUTO_STEPS * 3) == 1 and auto_epochs(1) == MAX_AUTO_EPOCHS


def test_without_epochs_the_student_makes_the_auto_passes_and_at_least_min_steps():
    few = DistilledStudent(hidden=4).fit(DOCS, LABELS)  # 6 texts: one step a pass
    assert few.n_iter_ == MIN_STEPS
    docs = [[*DOCS[i % 6], str(i)] for i in range(2_000)]
    labels = np.asarray([LABELS[i % 6] for i in range(2_000)])
    fit = lambda **kw: DistilledStudent(hidden=4, batch_size=16, **kw).fit(docs, labels)  # noqa: E731
    assert fit().n_iter_ == MAX_AUTO_EPOCHS  # 125 steps a pass: the budget would be 16 passes
    assert fit(epochs=1).n_iter_ == -(-MIN_STEPS // 125) == 3
    assert fit(epochs=12).n_iter_ == 12


def test_three_classes():
    docs = DOCS + tokenize_all(["the film is on at nine", "it is a film", "tickets are sold at the door"])
    labels = np.array(list(LABELS) + ["neutral"] * 3)
    student = DistilledStudent(hidden=4, epochs=30, batch_size=3, learning_rate=1e-2).fit(docs, labels)
    assert student.classes_.tolist() == ["neg", "neutral", "pos"]
    assert np.mean(student.predict(docs) == labels) >= 0.8
    assert np.allclose(student.runtime_.decision_scores(docs), student.network_scores(docs), atol=1e-4)


def in_fresh_process(tmp_path, runtime, code: str) -> str:
    """What ``code`` prints in a new Python process that has loaded ``runtime`` from a model file as
    ``r`` (``sys`` imported): that process's imports are the file's alone."""
    from sentclf.classify import modelfile

    path = modelfile.save(
        tmp_path / "s.sentclf", {"student": runtime}, {"labels": ["neg", "pos"], "best_model": "student"}
    )
    prelude = "import sys; from sentclf.classify.modelfile import load; r = load(sys.argv[1]).pipelines['student']; "
    done = subprocess.run([sys.executable, "-c", prelude + code, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_student_file_loads_and_scores_without_scikit_learn_scipy_or_joblib(tmp_path):
    student = DistilledStudent(hidden=4, epochs=2).fit(DOCS, LABELS)
    code = (
        "p = r.predict_proba(['a great film']); "
        "assert not [n for n in sys.modules if n.startswith(('sklearn', 'scipy', 'joblib'))], 'imported'; "
        "print(p.shape)"
    )
    assert in_fresh_process(tmp_path, student.runtime_, code) == "(1, 2)"


@settings(max_examples=200, deadline=None)
@given(
    known=st.lists(st.integers(0, 2**45), max_size=300, unique=True),
    queries=st.lists(st.integers(0, 2**45), max_size=300),
    mix=st.integers(0, 300),
)
def test_the_hash_index_answers_what_the_binary_search_answers(known, queries, mix):
    known = np.array(sorted(known), dtype=np.int64)
    keys = np.array(queries + [int(k) for k in known[:mix]], dtype=np.int64)  # misses and hits
    want_where, want_hit = lookup(known, keys)
    where, hit = KeyIndex(known).find(keys)
    assert (hit == want_hit).all() and (where[hit] == want_where[want_hit]).all()


def test_the_hash_index_finds_keys_that_probed_past_their_home_slot():
    known = np.unique(np.random.default_rng(0).integers(0, 2**40, 5000))
    index = KeyIndex(known)
    moved = index.slots[index.home(known)] != np.arange(len(known))  # another key took its home
    assert moved.sum() > 100
    where, hit = index.find(known[moved])
    assert hit.all() and (where == np.flatnonzero(moved)).all()
    assert not index.find(known[moved] + 1)[1].any()


def test_a_large_batch_scores_as_a_small_one_does():
    """From HASH_FROM_KEYS tokens a batch looks its n-grams up in the hash index: same scores."""
    texts = [f"a great film {i}, but the ending was awful and boring" for i in range(600)]
    runtime = DistilledStudent(hidden=8, epochs=5, batch_size=2).fit(DOCS, LABELS).runtime_
    runtime._indexes = None
    large = runtime.predict_proba(tokenize_all(texts))
    assert runtime._indexes is not None  # the batch was large enough to build them
    runtime._indexes = None
    small = np.vstack([runtime.predict_proba(tokenize_all([t])) for t in texts[:50]])
    assert runtime._indexes is None  # one line never builds them
    assert np.allclose(large[:50], small, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    known=st.lists(st.integers(0, 99), max_size=100, unique=True),
    queries=st.lists(st.integers(0, 99), max_size=200),
)
def test_the_word_index_answers_what_the_binary_search_answers(known, queries):
    known = np.array(sorted(known), dtype=np.int64)
    keys = np.array(queries, dtype=np.int64)
    want_where, want_hit = lookup(known, keys)
    where, hit = WordIndex(known, 100).find(keys)
    assert (hit == want_hit).all() and (where[hit] == want_where[want_hit]).all()


def test_a_token_batch_scores_as_its_token_lists_do():
    """A batch read from its flat list (the separators counted into documents) gives the scores of
    its lists, empty documents and unknown words included."""
    texts = [f"a great film {i}, but the ending was awful" if i % 5 else "" for i in range(80)] + ["zebra !"]
    runtime = DistilledStudent(hidden=8, epochs=5, batch_size=2).fit(DOCS, LABELS).runtime_
    batch = tokenize_batch(texts)
    assert batch.flat is not None
    flat = runtime.predict_proba(batch)
    assert np.allclose(flat, runtime.predict_proba(tokenize_all(texts)), atol=1e-6)
    assert np.allclose(flat, runtime.predict_proba(texts), atol=1e-6)  # strings, tokenized one by one


def test_a_student_pickled_with_its_arrays_as_arrays_still_loads():
    """Files written before the arrays went into the pickle as (dtype, shape, bytes) hold them as
    numpy arrays, which joblib's unpickler gives back: the same scores."""
    runtime = DistilledStudent(hidden=4, epochs=2).fit(DOCS, LABELS).runtime_
    state = runtime.__getstate__()
    assert isinstance(state["pieces"], tuple) and all(isinstance(k, tuple) for k in state["keys"])
    old = {**state, "keys": [np.asarray(k) for k in runtime.keys]}
    old.update({name: getattr(runtime, name) for name in ("classes_", "word_flags", "piece_offsets", "pieces")})
    again = StudentRuntime.__new__(StudentRuntime)
    again.__setstate__(old)
    assert np.array_equal(again.predict_proba(DOCS), runtime.predict_proba(DOCS))


@pytest.mark.parametrize(
    ("plain", "error"),
    [(("|O", (1,), b"\0" * 8), ModelFileError), (("<i8", (3,), b"\0" * 8), ValueError)],
)
def test_a_plain_array_of_objects_or_of_too_few_bytes_is_refused(plain, error):
    with pytest.raises(error):
        from_plain(plain)


def test_preparing_for_batches_imports_scipy_only_for_a_static_table(tmp_path):
    """A student without the static table never multiplies a sparse matrix: preparing it for the
    workers does not import scipy for nothing."""
    runtime = DistilledStudent(hidden=4, epochs=2).fit(DOCS, LABELS).runtime_
    assert not len(runtime.pooled)
    code = (
        "r.prepare_for_batches(); assert r._indexes is not None and r._lookup is not None; "
        "print(any(n.startswith('scipy') for n in sys.modules))"
    )
    assert in_fresh_process(tmp_path, runtime, code) == "False"


@pytest.mark.parametrize("copies", [1, 2, 3])
def test_scaled_counts_built_as_csr_equal_scipys_side_by_side_copies(copies):
    counts = sparse.random(40, 25, density=0.15, format="csr", dtype=np.float32, random_state=3)
    counts[5] = 0  # an empty row
    counts.eliminate_zeros()
    ratios = np.random.default_rng(0).standard_normal((copies, 25)).astype(np.float32)
    expected = sparse.hstack([counts @ sparse.diags(r) for r in ratios], format="csr").toarray()
    got = DistilledStudent._scaled(counts, ratios)
    assert got.shape == expected.shape and np.allclose(got.toarray(), expected)


def test_the_ngram_matrix_built_in_chunks_equals_the_one_built_at_once(monkeypatch):
    import sentclf.classify.models.student as student_module

    docs = DOCS * 7 + [[]] + DOCS  # an empty document inside a chunk
    labels = np.array(["pos", "neg"] * (len(docs) // 2) + ["pos"] * (len(docs) % 2))
    whole = DistilledStudent(hidden=4, epochs=2).fit(docs, labels)
    monkeypatch.setattr(student_module, "CHUNK_DOCS", 4)
    chunked = DistilledStudent(hidden=4, epochs=2).fit(docs, labels)
    ids, lengths = word_ids(docs, whole.vocabulary_)
    a = whole._ngram_matrix(ids, documents_of(lengths), len(docs))
    monkeypatch.setattr(student_module, "CHUNK_DOCS", 10**6)
    b = whole._ngram_matrix(ids, documents_of(lengths), len(docs))
    assert a.shape == b.shape and (a != b).nnz == 0
    assert np.allclose(whole.runtime_.decision_scores(docs), chunked.runtime_.decision_scores(docs), atol=1e-5)


def test_column_moments_equal_numpys_mean_and_std():
    from sentclf.classify.models.student import column_moments

    x = (np.random.default_rng(1).standard_normal((1000, 7)) * 3 + 100).astype(np.float32)
    mean, std = column_moments(x, chunk=64)
    assert np.allclose(mean, x.astype(np.float64).mean(axis=0)) and np.allclose(std, x.astype(np.float64).std(axis=0))
