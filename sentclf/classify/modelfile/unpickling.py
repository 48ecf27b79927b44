"""Reading a model file's pickled pipelines without running code the file brings.

A pickle names the globals it needs as (module, name) pairs and calls them; an attacker who writes
the file chooses those pairs (``os.system``, ``builtins.eval``...). Here every pair must be on an
explicit allowlist: the exact classes and functions sentclf's own pipelines are made of, taken from
the classes the code builds (so the module paths are those of the installed scikit-learn and
numpy), plus the few numpy and joblib helpers that rebuild arrays. No module prefixes, no builtins,
nothing that imports, evaluates, opens a file or reaches an attribute by name.
``tests/classify/modelfile/test_unpickling.py`` trains every model kind with every feature block and checks
that what they reference is exactly this list, and that a corpus of hostile files is refused.

joblib stores arrays beside the pickle stream; their headers (dtype, shape) are checked against the
bytes that remain before anything is allocated, and arrays of Python objects, which joblib reads
with a nested unpickler, are refused: sentclf's models hold none. joblib's old multi-file format
(``NDArrayWrapper``, which opens other files) is refused too.

``trusted=True`` (``--trust-model``) skips all this, for a user's own custom pipelines.
"""

from __future__ import annotations

import inspect
import io
import pickle
from typing import ClassVar

from sentclf.errors import ModelFileError, UnsafeModelError

# Rebuilding numpy values; numpy 1.x wrote "numpy.core", numpy 2 writes "numpy._core".
NUMPY_HELPERS = frozenset(
    {
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
    }
)
# numpy scalar types a fitted estimator may hold as a value (np.float32 as a dtype parameter)
NUMPY_TYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_")


def model_classes() -> list:
    """Every class or function a sentclf model file may contain, imported from where the code gets it."""
    from numpy.random import MT19937
    from sklearn._loss._loss import CyHalfBinomialLoss
    from sklearn.calibration import CalibratedClassifierCV, _CalibratedClassifier, _SigmoidCalibration
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.neural_network import MLPClassifier
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        LabelBinarizer,
        LabelEncoder,
        MaxAbsScaler,
        StandardScaler,
    )
    from sklearn.utils import Bunch

    from sentclf.classify.features.charngrams import CharNgramCounts
    from sentclf.classify.features.embeddings import PooledEmbeddings
    from sentclf.classify.features.lexicons import Lexicon
    from sentclf.classify.features.nbngrams import NBWeightedNgrams
    from sentclf.classify.features.ngrams import passthrough
    from sentclf.classify.features.rules import RuleFeatures
    from sentclf.classify.features.sentence_vectors import SentenceVectors
    from sentclf.classify.features.six import LectureFeatures
    from sentclf.classify.modelfile.tensors import TensorSet
    from sentclf.classify.models.blend import HoldoutStack
    from sentclf.classify.models.ensemble import log_odds
    from sentclf.classify.models.finetuned import FineTunedEncoder
    from sentclf.classify.models.perclass import PerClassLogistic
    from sentclf.classify.models.pipeline import Tokenizer
    from sentclf.classify.models.student_runtime import StudentRuntime
    from sentclf.classify.vectors.files import VectorTable
    from sentclf.classify.vectors.sources import WordPieceTable

    return [
        *(Pipeline, FeatureUnion, StandardScaler, MaxAbsScaler, FunctionTransformer, LabelEncoder, LabelBinarizer),
        *(LogisticRegression, MLPClassifier, AdamOptimizer, SGDOptimizer, MultinomialNB),
        *(CountVectorizer, TfidfVectorizer, TfidfTransformer, HashingVectorizer, SGDClassifier, CyHalfBinomialLoss),
        *(StackingClassifier, VotingClassifier, StratifiedKFold),
        *(CalibratedClassifierCV, _CalibratedClassifier, _SigmoidCalibration, IsotonicRegression, Bunch, MT19937),
        *(Tokenizer, LectureFeatures, Lexicon, RuleFeatures, NBWeightedNgrams, PerClassLogistic, passthrough),
        *(PooledEmbeddings, VectorTable, WordPieceTable, SentenceVectors, log_odds, CharNgramCounts),
        *(FineTunedEncoder, TensorSet, HoldoutStack, StudentRuntime),
    ]


def allowed_globals() -> frozenset:
    """The exact (module, name) pairs a model file may refer to."""
    import numpy

    names = {(obj.__module__, obj.__qualname__) for obj in model_classes()}
    names |= {("numpy", name) for name in NUMPY_TYPES if hasattr(numpy, name)}
    return frozenset(names | NUMPY_HELPERS)


# What a student's file refers to (numpy helpers aside): resolved without building the whole list,
# whose imports (scikit-learn, scipy) cost more than a student takes to score a thousand documents.
STUDENT_GLOBALS = frozenset(
    {("sentclf.classify.models.student_runtime", "StudentRuntime"), ("sentclf.classify.modelfile.tensors", "TensorSet")}
)


class Allowlist:
    """``(module, name) in Allowlist()``: the numpy helpers and a student's class are checked against
    fixed names; anything else against :func:`allowed_globals`, built on first need."""

    def __init__(self):
        self._full = None

    def __contains__(self, pair) -> bool:
        if pair in NUMPY_HELPERS or pair in STUDENT_GLOBALS:
            return True
        if pair[0] == "numpy" and pair[1] in NUMPY_TYPES:
            return True
        if self._full is None:
            self._full = allowed_globals()
        return pair in self._full


def is_model(value) -> bool:
    """Whether an unpickled value is one of sentclf's models: a student, or a scikit-learn estimator."""
    from sentclf.classify.models.student_runtime import StudentRuntime

    if isinstance(value, StudentRuntime):
        return True
    from sklearn.base import BaseEstimator

    return isinstance(value, BaseEstimator)


def joblib_options() -> dict:
    """Keyword arguments joblib's NumpyUnpickler takes in this joblib version."""
    from joblib.numpy_pickle import NumpyUnpickler

    parameters = inspect.signature(NumpyUnpickler.__init__).parameters
    return {"ensure_native_byte_order": True} if "ensure_native_byte_order" in parameters else {}


def restricted_unpickler(payload: bytes, allowed, moved: dict):
    """joblib's unpickler, resolving only allowed globals (after mapping ``moved`` ones); for a payload
    that holds none of joblib's arrays (a distilled student's), pickle's own, so that loading it
    does not import joblib."""
    if b"NumpyArrayWrapper" not in payload and b"NDArrayWrapper" not in payload:
        return plain_restricted_unpickler(payload, allowed, moved)
    import numpy
    from joblib.numpy_pickle import NumpyArrayWrapper, NumpyUnpickler

    size = len(payload)

    class RestrictedUnpickler(NumpyUnpickler):
        def find_class(self, module, name):
            return super().find_class(allowed_module(module, name, allowed, moved), name)

        def load_build(self):
            """BUILD sets an object's state; for joblib's array placeholder, check the header it is
            about to be read with (the state) before joblib allocates and reads the array."""
            state, target = self.stack[-1], self.stack[-2]
            if type(target).__name__ == "NDArrayWrapper":
                raise UnsafeModelError("refusing to load: joblib's old multi-file array format opens other files")
            if isinstance(target, NumpyArrayWrapper):
                if not isinstance(state, dict):
                    raise ModelFileError("an array header is not a dict: the file is corrupt or hostile")
                check_array_header(state.get("dtype"), state.get("shape"), size - self.file_handle.tell())
            NumpyUnpickler.load_build(self)

        dispatch: ClassVar[dict] = dict(NumpyUnpickler.dispatch)  # the opcode table: BUILD to the method above
        dispatch[pickle.BUILD[0]] = load_build

    def check_array_header(dtype, shape, remaining: int) -> None:
        if not isinstance(dtype, numpy.dtype) or not isinstance(shape, tuple):
            raise ModelFileError("an array header has no dtype or shape: the file is corrupt or hostile")
        if dtype.hasobject:
            raise UnsafeModelError("refusing to load: it holds an array of Python objects, which no sentclf model does")
        if any(not isinstance(n, (int, numpy.integer)) or n < 0 for n in shape):
            raise ModelFileError(f"an array header has a bad shape {shape!r}: the file is corrupt or hostile")
        count = 1
        for n in shape:
            count *= int(n)
        if count * dtype.itemsize > remaining:
            raise ModelFileError(
                f"an array of shape {shape} ({count * dtype.itemsize:,} bytes) is larger than the file's remaining "
                f"{remaining:,} bytes: the file is corrupt or hostile"
            )

    unpickler = RestrictedUnpickler("", io.BytesIO(payload), **joblib_options())
    unpickler.fix_imports = False  # no Python 2 renaming after the allowlist check
    return unpickler


def allowed_module(module: str, name: str, allowed, moved: dict) -> str:
    """The module a global is read from (after ``moved``), or UnsafeModelError if it is not allowed."""
    module = moved.get((module, name), module)
    if (module, name) not in allowed:
        raise UnsafeModelError(
            f"refusing to load: it refers to {module}.{name}, which no sentclf model contains "
            "(load it with --trust-model only if you made it yourself)"
        )
    return module


def plain_restricted_unpickler(payload: bytes, allowed, moved: dict):
    """pickle's unpickler, resolving only allowed globals, for payloads that hold none of joblib's
    arrays: a global's name can only come from the stream's own bytes, and neither of joblib's
    array classes is named there, so nothing this unpickler builds needs joblib."""

    class PlainRestrictedUnpickler(pickle.Unpickler):
        def find_class(self, module, name):
            return super().find_class(allowed_module(module, name, allowed, moved), name)

    return PlainRestrictedUnpickler(io.BytesIO(payload), fix_imports=False)
