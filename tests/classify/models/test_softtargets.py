"""The distillation student's classifier: multinomial LR on target probabilities. Its gradient
against central differences, its agreement with scikit-learn's LR on one-hot targets, and a student
that learns a teacher's probabilities on sparse features."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from sentclf.classify.models.softtargets import SoftTargetLogistic, soft_cross_entropy


def blobs(n: int = 300, classes: int = 3, features: int = 5, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centres = rng.normal(0, 2, (classes, features))
    return centres[y] + rng.normal(0, 1.5, (n, features)), y


@pytest.mark.parametrize("as_sparse, classes", [(False, 3), (True, 3), (False, 2)])
def test_the_gradient_matches_central_differences(as_sparse, classes):
    X, _ = blobs(40, classes, 4)
    X = sparse.csr_matrix(X * (np.abs(X) > 0.8)) if as_sparse else X
    rng = np.random.default_rng(1)
    targets = rng.dirichlet(np.ones(classes), 40)
    weights = rng.uniform(0.5, 2, 40)
    params = rng.normal(0, 0.3, (4 + 1) * classes)
    _, grad = soft_cross_entropy(params, X, targets, weights, 0.7)
    step = 1e-6
    for i in range(len(params)):
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        numeric = (
            soft_cross_entropy(up, X, targets, weights, 0.7)[0] - soft_cross_entropy(down, X, targets, weights, 0.7)[0]
        ) / (2 * step)
        assert abs(numeric - grad[i]) < 1e-5 * max(1.0, abs(numeric)), i


@pytest.mark.parametrize("classes", [2, 3])
def test_on_labels_it_is_scikit_learns_multinomial_logistic_regression(classes):
    X, y = blobs(classes=classes)
    ours = SoftTargetLogistic(C=0.5).fit(X, y)
    theirs = LogisticRegression(C=0.5, max_iter=5000, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=2e-4)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=2e-3)
    assert ours.coef_.shape == theirs.coef_.shape and list(ours.classes_) == list(theirs.classes_)


def test_a_student_on_sparse_features_learns_the_teachers_probabilities():
    X, y = blobs(600, 3, 6, seed=2)
    teacher = LogisticRegression(C=1.0).fit(X, y)
    soft = teacher.predict_proba(X)
    # the student sees the same signal through sparse one-hot bins of each feature
    edges = np.quantile(X, np.linspace(0, 1, 9)[1:-1], axis=0)
    bins = np.stack([np.searchsorted(edges[:, j], X[:, j]) for j in range(X.shape[1])], axis=1)
    rows = np.repeat(np.arange(len(X)), X.shape[1])
    student_X = sparse.csr_matrix((np.ones(bins.size), (rows, (bins + 8 * np.arange(X.shape[1])).ravel())))
    student = SoftTargetLogistic(C=10.0, classes=["a", "b", "c"]).fit(student_X, soft)
    assert list(student.classes_) == ["a", "b", "c"]
    agreement = np.mean(student.predict_proba(student_X).argmax(axis=1) == soft.argmax(axis=1))
    assert agreement > 0.9
    kl = np.mean((soft * (np.log(soft) - np.log(student.predict_proba(student_X)))).sum(axis=1))
    hard = SoftTargetLogistic(C=10.0).fit(student_X, soft.argmax(axis=1))
    kl_hard = np.mean((soft * (np.log(soft) - np.log(hard.predict_proba(student_X)))).sum(axis=1))
    assert kl < 0.5 * kl_hard  # the probabilities carry what the labels alone do not


@pytest.mark.parametrize(
    "targets, message",
    [
        (np.full((4, 2), 0.6), "sum to 1"),
        (np.array([[1.2, -0.2]] * 4), "≥ 0"),
        (np.full((3, 2), 0.5), "for 4 documents"),
    ],
)
def test_bad_targets_are_refused(targets, message):
    with pytest.raises(ValueError, match=message):
        SoftTargetLogistic().fit(np.eye(4), targets)
    with pytest.raises(ValueError, match="2 target columns"):
        SoftTargetLogistic(classes=["a", "b", "c"]).fit(np.eye(4), np.full((4, 2), 0.5))
