import numpy as np
import pytest

from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.models.spec import ModelConfig
from sentclf.errors import ConfigError
from sentclf.nn.activations import sigmoid, softmax

TEXTS = ["great fun!", "nice and great", "I love it", "awful, no", "bad bad film", "I hate it"] * 4
LABELS = ["pos", "pos", "pos", "neg", "neg", "neg"] * 4


def test_models_pipeline_steps():
    pipeline = build_pipeline("lr", load_lexicon())
    assert [name for name, _ in pipeline.steps] == ["tokens", "features", "scale", "clf"]


def test_models_binary_lr_is_a_sigmoid_of_z():
    pipeline = build_pipeline("lr", load_lexicon()).fit(TEXTS, LABELS)
    z = pipeline.decision_function(["great!"])[0]
    assert pipeline.predict_proba(["great!"])[0, 1] == pytest.approx(sigmoid(z))
    assert pipeline.predict(["great fun", "awful bad"]).tolist() == ["pos", "neg"]


def test_models_three_class_lr_is_a_softmax_of_z(fixtures):
    from sentclf.data.readers import read_examples

    data = read_examples(str(fixtures / "three_class.jsonl"))
    pipeline = build_pipeline("lr", load_lexicon()).fit(data.texts, data.labels)
    z = pipeline.decision_function(["great trip!"])[0]
    assert len(z) == 3
    assert pipeline.predict_proba(["great trip!"])[0] == pytest.approx(softmax(z))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_models_mlp_has_one_hidden_layer(activation):
    config = ModelConfig(hidden=7, activation=activation)
    pipeline = build_pipeline("mlp", load_lexicon(), config)
    pipeline.set_params(clf__early_stopping=False).fit(TEXTS, LABELS)
    clf = pipeline.named_steps["clf"]
    assert [w.shape for w in clf.coefs_] == [(6, 7), (7, 1)]
    assert clf.activation == activation


def test_models_same_seed_same_model():
    def fitted(seed):
        pipeline = build_pipeline("mlp", load_lexicon(), ModelConfig(seed=seed, hidden=5))
        return pipeline.set_params(clf__early_stopping=False).fit(TEXTS, LABELS).predict_proba(TEXTS)

    assert np.array_equal(fitted(3), fitted(3))
    assert not np.array_equal(fitted(3), fitted(4))


@pytest.mark.parametrize(
    "config, message",
    [
        (ModelConfig(hidden=0), "--hidden must be between 1 and 100,000"),
        (ModelConfig(activation="gelu"), "unknown activation 'gelu'"),
        (ModelConfig(class_weight="heavy"), "--class-weight takes 'balanced'"),
    ],
)
def test_models_bad_config_is_an_error(config, message):
    with pytest.raises(ConfigError, match=message):
        build_pipeline("mlp", load_lexicon(), config)


def test_models_unknown_kind_is_an_error():
    with pytest.raises(ConfigError, match="unknown model 'svm'"):
        build_pipeline("svm", load_lexicon())


def test_models_regularization_options_reach_the_estimators():
    config = ModelConfig(c=0.01, alpha=0.5)
    assert build_pipeline("lr", load_lexicon(), config).named_steps["clf"].C == 0.01
    assert build_pipeline("mlp", load_lexicon(), config).named_steps["clf"].alpha == 0.5
    with pytest.raises(ConfigError, match="--lr-c must be above 0"):
        build_pipeline("lr", load_lexicon(), ModelConfig(c=0))


def test_models_ngram_pipelines_scaling_and_default_c():
    from sklearn.preprocessing import MaxAbsScaler

    alone = build_pipeline("lr", load_lexicon(), features="ngrams")
    assert alone.named_steps["scale"] == "passthrough" and alone.named_steps["clf"].C == 4.0
    beside = build_pipeline("lr", load_lexicon(), features="six+ngrams")
    assert isinstance(beside.named_steps["scale"], MaxAbsScaler) and beside.named_steps["clf"].C == 1.0
    matrix = beside[:-1].fit_transform(TEXTS, LABELS)
    assert abs(matrix).max() == pytest.approx(1.0) and matrix.format in ("csr", "csc")
    assert build_pipeline("lr", load_lexicon(), ModelConfig(c=2.0), features="ngrams").named_steps["clf"].C == 2.0
    assert build_pipeline("lr", load_lexicon()).named_steps["clf"].C == 1.0
