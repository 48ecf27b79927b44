"""The ``blend`` ensemble method (:class:`HoldoutStack`): stacking learned from one held-out share,
each member fitted on the rest, the cheap ones refitted on everything and the fine-tuned ones fitted once."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from sentclf.classify.models.blend import HoldoutStack
from sentclf.classify.models.ensemble import stacking_model
from sentclf.classify.models.spec import EnsembleConfig, ModelConfig

FITS: list = []  # what each fit saw, appended by the members below (clones deep-copy their parameters)


@pytest.fixture(autouse=True)
def fits():
    FITS.clear()
    return FITS


class Recording(ClassifierMixin, BaseEstimator):
    """Logistic regression on one column that records how many rows each fit saw."""

    def __init__(self, column=0):
        self.column = column

    def fit(self, X, y):
        FITS.append((self.column, len(X)))
        self.model_ = LogisticRegression().fit(np.asarray(X)[:, [self.column]], y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X)[:, [self.column]])


def data(n: int = 200, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = np.column_stack([y + rng.normal(0, 0.6, n), rng.normal(0, 1, n)])  # column 0 informs, column 1 is noise
    return X, np.array(["neg", "pos"])[y]


def test_the_stacking_model_learns_from_the_held_out_tenth_and_trusts_the_informative_member():
    X, y = data()
    blend = HoldoutStack([("good", Recording(0)), ("noise", Recording(1))], stacking_model(ModelConfig()))
    blend.fit(X, y)
    assert FITS == [(0, 180), (1, 180), (0, 200), (1, 200)]  # each on the training share, then on everything
    weights = blend.final_estimator_.named_steps["clf"].coef_[0]
    assert abs(weights[0]) > 5 * abs(weights[1])
    probabilities = blend.predict_proba(X)
    assert probabilities.shape == (200, 2) and np.allclose(probabilities.sum(axis=1), 1)
    assert (blend.predict(X) == y).mean() > 0.75 and list(blend.classes_) == ["neg", "pos"]


def test_too_few_documents_to_hold_out_average_the_members():
    X, y = data(40)
    blend = HoldoutStack([("a", Recording(0)), ("b", Recording(1))], stacking_model(ModelConfig())).fit(X, y)
    assert blend.final_estimator_ is None and FITS == [(0, 40), (1, 40)]
    members = [m.predict_proba(X) for m in blend.estimators_]
    np.testing.assert_allclose(blend.predict_proba(X), np.mean(members, axis=0))


class FineTunedEncoder(ClassifierMixin, BaseEstimator):
    """Stands in for the ft model (known by its class name): records the validation documents it was given."""

    def fit(self, X, y, X_val=None, y_val=None):
        FITS.append(("ft", len(X), None if X_val is None else len(X_val)))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


def test_a_fine_tuned_member_is_fitted_once_and_stops_early_on_the_held_out_share():
    X, y = data()
    tuned = Pipeline([("tokens", Passthrough()), ("clf", FineTunedEncoder())])
    blend = HoldoutStack([("ft", tuned), ("lr", Recording(0))], stacking_model(ModelConfig())).fit(X, y)
    assert FITS == [("ft", 180, 20), (0, 180), (0, 200)]
    assert blend.estimators_[0] is not tuned and hasattr(blend.estimators_[0].named_steps["clf"], "classes_")


class Passthrough(BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


@pytest.mark.parametrize(
    "members, method",
    [(("nbngrams:lr", "ngrams:nb"), "stack"), (("nbngrams:lr", "encoder:ft"), "blend"), (None, "blend")],
)
def test_an_ensemble_with_a_fine_tuned_member_blends_unless_told(members, method):
    assert EnsembleConfig(members).chosen_method == method
    assert EnsembleConfig(members, "stack").chosen_method == "stack"


def test_explain_names_a_blend_and_says_when_it_only_averaged():
    from sentclf.classify.explain import ensemble_method

    members = [("a", Recording(0)), ("b", Recording(1))]
    assert ensemble_method(HoldoutStack(members, stacking_model(ModelConfig())).fit(*data())) == "blending"
    small = HoldoutStack(members, stacking_model(ModelConfig())).fit(*data(40))
    assert ensemble_method(small) == "averaging (too few documents to blend)"


@pytest.mark.parametrize("rows, method", [(40, "averaging (too few documents to blend)"), (400, "blending")])
def test_explain_from_the_cli_says_how_a_blend_combined(tmp_path, rows, method):
    import json

    from click.testing import CliRunner

    from sentclf.cli import cli

    words = [("great fun film", "pos"), ("dull awful film", "neg"), ("loved it", "pos"), ("hated it", "neg")]
    lines = ["text,label"] + [f"{words[i % 4][0]} {i},{words[i % 4][1]}" for i in range(rows)]
    data = tmp_path / "toy.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = str(tmp_path / "blend.sentclf")
    members = ["--model", "ensemble", "--members", "nbngrams:lr,ngrams:nb", "--ensemble", "blend"]
    result = CliRunner().invoke(cli, ["train", str(data), *members, "-o", model, "-q"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["explain", "-m", model, "great fun", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["method"] == method
