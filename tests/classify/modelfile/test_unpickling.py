"""Model files cannot run code: the allowlist is exactly what sentclf's models are made of, and a corpus
of hostile files (the attacker controls the whole file, sha256 included) is refused with one clean
error and no side effect."""

import io
import json
import pickle
import zipfile

import joblib
import numpy as np
import pytest
from joblib.numpy_pickle import NumpyUnpickler

from sentclf import archive
from sentclf.classify import modelfile
from sentclf.classify.config import TrainConfig
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.modelfile.unpickling import (
    NUMPY_HELPERS,
    NUMPY_TYPES,
    STUDENT_GLOBALS,
    Allowlist,
    allowed_globals,
)
from sentclf.classify.models.pipeline import build_pipeline, calibrated
from sentclf.classify.models.spec import EnsembleConfig, ModelConfig
from sentclf.classify.models.student import DistilledStudent
from sentclf.classify.streaming import stream_classifier
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.classify.vectors.sources import load_table
from sentclf.data.readers import read_examples
from sentclf.errors import ModelFileError, UnsafeModelError
from sentclf.text import tokenize_all
from tests.classify.encoder.test_encoder import make_fake_bert
from tests.cli.test_cli import run


def referenced_globals(pipelines: dict) -> set:
    """The (module, name) pairs a joblib dump of ``pipelines`` refers to (read back unrestricted)."""
    seen: set = set()

    class Recording(NumpyUnpickler):
        def find_class(self, module, name):
            seen.add((module, name))
            return super().find_class(module, name)

    buffer = io.BytesIO()
    joblib.dump(pipelines, buffer)
    Recording("", io.BytesIO(buffer.getvalue()), ensure_native_byte_order=True).load()
    return seen


def every_model(fixtures, tmp_path, monkeypatch) -> dict:
    """Every model kind with every feature block, the ensembles and the calibrated wrappers, fitted."""
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(make_fake_bert(tmp_path / "bert")))
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    from sentclf.classify.encoder.sentence import SentenceEncoder

    data = read_examples(str(fixtures / "three_class.jsonl"))
    tokens, labels = tokenize_all(data.texts), data.labels
    lexicon, encoder = load_lexicon(), SentenceEncoder()
    vectors = EmbeddingConfig(source=str(fixtures / "vectors" / "tiny.glove.txt"))
    table = load_table(vectors, tokens)
    models = {}
    for kind in ("lr", "mlp"):
        wide = ("nbchars", "hashed", "six+hashed") if kind == "lr" else ()  # an MLP on 2**20 columns: minutes
        for features in ("six", "ngrams", "rules", "nbngrams", "encoder", "six+emb", "six+ngrams+rules", *wide):
            embeddings = vectors if "emb" in features else EmbeddingConfig()
            models[f"{features}:{kind}"] = build_pipeline(
                kind, lexicon, ModelConfig(), embeddings, table if "emb" in features else None, features, encoder
            )
    models["ngrams:nb"] = build_pipeline("nb", lexicon, features="ngrams")
    for features, sparse in (("six", False), ("six+hashed", True)):  # train --stream's SGD logistic regression
        stream = build_pipeline("lr", lexicon, features=features)
        stream.steps[-1] = ("clf", stream_classifier("lr", TrainConfig(), len(labels), sparse))
        models[f"{features}:stream"] = stream
    for method in ("soft", "stack"):
        members = EnsembleConfig(("nbngrams:lr", "six+encoder:mlp", "ngrams:nb"), method)
        models[method] = build_pipeline("ensemble", lexicon, ModelConfig(), ensemble=members, encoder=encoder)
    for method in ("sigmoid", "isotonic"):
        models[method] = calibrated(build_pipeline("lr", lexicon), method, 0)
    tune = ModelConfig(tune_epochs=1)
    models["encoder:ft"] = build_pipeline("ft", lexicon, tune, encoder=encoder)
    for method in ("stack", "blend"):
        models[f"{method} with ft"] = build_pipeline(
            "ensemble", lexicon, tune, ensemble=EnsembleConfig(("nbngrams:lr", "encoder:ft"), method), encoder=encoder
        )
    fitted = {name: model.fit(tokens, labels) for name, model in models.items()}
    fitted["student"] = DistilledStudent(hidden=4, epochs=1).fit(tokens, labels).runtime_  # what distill saves
    return fitted


def test_unpickling_allowlist_is_exactly_what_the_models_need(fixtures, tmp_path, monkeypatch):
    models = every_model(fixtures, tmp_path, monkeypatch)
    seen = referenced_globals(models)
    allowed = allowed_globals()
    assert seen <= allowed, sorted(seen - allowed)
    # nothing on the list is there for nothing: what no model above uses is a numpy rebuilding helper
    # (files from other numpy versions), a numpy scalar type, or a class of an optional path
    optional = {"WordPieceTable", "SGDOptimizer", "__randomstate_ctor", "__bit_generator_ctor", "MT19937"}
    unused = {pair for pair in allowed - seen if pair not in NUMPY_HELPERS and pair[1] not in NUMPY_TYPES}
    assert {name for _, name in unused} <= optional, sorted(unused)
    assert not any(module.startswith("builtins") or module in {"os", "posix", "subprocess"} for module, _ in allowed)
    path = modelfile.save(tmp_path / "all.sentclf", models, {"labels": ["negative", "neutral", "positive"]})
    loaded = modelfile.load(path).pipelines  # and every one of them loads through the restricted path
    assert set(loaded) == set(models) and all(hasattr(model, "predict_proba") for model in loaded.values())


def test_the_lazy_allowlist_is_the_allowlist():
    lazy, full = Allowlist(), allowed_globals()
    assert full >= STUDENT_GLOBALS and full >= NUMPY_HELPERS
    for pair in (
        *full,
        ("os", "system"),
        ("builtins", "eval"),
        ("numpy", "load"),
        ("sentclf.classify.models.student_runtime", "np"),
    ):
        assert (pair in lazy) == (pair in full), pair


class Reduce:
    """An object that unpickles as ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def global_ref(module: str, name: str, *args, protocol: int = 4) -> bytes:
    """A pickle that calls module.name(*args): GLOBAL/STACK_GLOBAL, then REDUCE."""
    import importlib

    return pickle.dumps(Reduce(getattr(importlib.import_module(module), name), *args), protocol=protocol)


def hostile_payloads(marker) -> dict:
    """name → (payload bytes, the text the refusal names). Each payload, if run, creates ``marker``."""
    touch = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    payloads = {
        "os.system": (global_ref("os", "system", touch), "posix.system"),
        "posix.system": (global_ref("posix", "system", touch), "posix.system"),
        "subprocess.call": (global_ref("subprocess", "call", ["touch", str(marker)]), "subprocess.call"),
        "subprocess.Popen": (global_ref("subprocess", "Popen", ["touch", str(marker)]), "subprocess.Popen"),
        "builtins.eval": (global_ref("builtins", "eval", code), "builtins.eval"),
        "builtins.exec": (global_ref("builtins", "exec", code), "builtins.exec"),
        "builtins.open": (global_ref("builtins", "open", str(marker), "w"), "io.open"),
        "builtins.__import__": (global_ref("builtins", "__import__", "os"), "builtins.__import__"),
        "importlib.import_module": (global_ref("importlib", "import_module", "os"), "importlib.import_module"),
        "runpy.run_path": (global_ref("runpy", "run_path", str(marker)), "runpy.run_path"),
        "numpy.load": (global_ref("numpy", "load", str(marker), None, True), "numpy.load"),
        "joblib.load": (global_ref("joblib", "load", str(marker)), "joblib.numpy_pickle.load"),
        "pickle.loads": (global_ref("pickle", "loads", pickle.dumps(1)), "pickle.loads"),
        "sklearn.utils.deprecated": (
            global_ref("sklearn.utils", "deprecated", "x"),
            "sklearn.utils.deprecation.deprecated",
        ),
        "protocol 0 (INST os.system)": (
            f"(S'{touch}'\nios\nsystem\n.".encode(),  # the oldest opcodes: INST calls os.system
            "os.system",
        ),
        "protocol 1 (OBJ)": (b"(cos\nsystem\nS'" + touch.encode() + b"'\no.", "os.system"),
    }
    # getattr chains: builtins.getattr(builtins.__import__('os'), 'system')('touch ...')
    chain = b"cbuiltins\ngetattr\n(cbuiltins\n__import__\n(S'os'\ntRS'system'\ntR(S'" + touch.encode() + b"'\ntR."
    payloads["builtins.getattr chain"] = (chain, "builtins")
    # a real-looking pipeline whose FunctionTransformer would call os.system
    import os

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    inner = io.BytesIO()
    joblib.dump({"lr": Pipeline([("f", FunctionTransformer(os.system))])}, inner)
    payloads["pipeline with os.system inside"] = (inner.getvalue(), "posix.system")
    # an array of Python objects, which joblib reads with a nested unpickler
    nested = io.BytesIO()
    joblib.dump({"lr": np.array([Reduce(os.system, touch)], dtype=object)}, nested)
    payloads["nested object array"] = (nested.getvalue(), "array of Python objects")
    return payloads


def hostile_file(tmp_path, payload: bytes):
    """A model file around ``payload`` with its sha256 recomputed, as an attacker would write it."""
    path = tmp_path / "hostile.sentclf"
    path.unlink(missing_ok=True)
    meta = {"labels": ["neg", "pos"], "best_model": "lr", "models": {"lr": "logistic regression"}}
    archive.write_archive(path, archive.MODEL_FORMAT, meta, modelfile.PAYLOAD_MEMBER, payload, force=True)
    return path


def test_unpickling_hostile_corpus_is_refused_without_side_effects(tmp_path):
    marker = tmp_path / "PWNED"
    payloads = hostile_payloads(marker)
    assert len(payloads) >= 15
    for name, (payload, names) in payloads.items():
        path = hostile_file(tmp_path, payload)
        with pytest.raises(UnsafeModelError, match="refusing to load") as caught:
            modelfile.load(path)
        assert names in str(caught.value), (name, str(caught.value))
        assert not marker.exists(), name


@pytest.mark.parametrize("command", ["predict", "explain", "evaluate"])
def test_unpickling_every_loading_command_refuses_with_one_line(tmp_path, fixtures, command):
    marker = tmp_path / "PWNED"
    path = hostile_file(tmp_path, global_ref("os", "system", f"touch {marker}"))
    args = {
        "predict": ["predict", "-m", path, "-"],
        "explain": ["explain", "-m", path, "great"],
        "evaluate": ["evaluate", fixtures / "tiny.csv", "-m", path],
    }[command]
    result = run(*args, input="great\n")
    assert result.exit_code == 1 and result.stdout == "" and not marker.exists()
    assert result.stderr.startswith(f"Error: {path}: refusing to load: it refers to posix.system") or (
        "refers to os.system" in result.stderr
    )
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--trust-model" in run(command, "--help").stdout


def test_unpickling_trust_model_loads_anything_with_a_warning(tmp_path, trained_model):
    """--trust-model is the escape hatch for a user's own custom pipelines (here: a harmless one)."""
    from sklearn.dummy import DummyClassifier

    custom = DummyClassifier(strategy="constant", constant="pos").fit([[0], [1]], ["neg", "pos"])
    path = modelfile.save(tmp_path / "custom.sentclf", {"lr": custom}, {"labels": ["neg", "pos"]})
    with pytest.raises(UnsafeModelError, match=r"sklearn\.dummy\.DummyClassifier"):
        modelfile.load(path)
    assert modelfile.load(path, trusted=True).pipelines["lr"].constant == "pos"
    refused = run("explain", "-m", path, "great")
    assert refused.exit_code == 1 and "--trust-model" in refused.stderr


def test_unpickling_array_headers_are_checked_before_allocating(tmp_path):
    """joblib's array placeholder says 2**40 float64s (8 TiB) follow: refused before any allocation."""
    from joblib.numpy_pickle import NumpyArrayWrapper

    wrapper = NumpyArrayWrapper.__new__(NumpyArrayWrapper)
    header = {"subclass": np.ndarray, "shape": (2**40,), "order": "C", "dtype": np.dtype("float64")}
    wrapper.__dict__.update(header, allow_mmap=False)
    with pytest.raises(ModelFileError, match="larger than the file's remaining"):
        modelfile.load(hostile_file(tmp_path, pickle.dumps({"lr": wrapper}, protocol=4)))
    wrapper.__dict__.update(shape=(-1,))
    with pytest.raises(ModelFileError, match="bad shape"):
        modelfile.load(hostile_file(tmp_path, pickle.dumps({"lr": wrapper}, protocol=4)))


def test_unpickling_payload_must_be_estimators(tmp_path):
    path = hostile_file(tmp_path, pickle.dumps({"lr": np.arange(3)}))
    with pytest.raises(ModelFileError, match="not sentclf's models"):
        modelfile.load(path)
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("metadata.json"))["format"] == archive.MODEL_FORMAT
