"""The layout's rules, checked on the source: products and what each may import, module size, no
reaching into another module's private names, no module-level mutable state, and a quick start-up
(the commands that need no model import neither scikit-learn, SciPy, matplotlib nor numpy)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sentclf"
MODULES = sorted(PACKAGE.rglob("*.py"))

# package → the sentclf packages and modules it may import (besides itself)
SHARED = {
    "sentclf",
    "sentclf.errors",
    "sentclf.paths",
    "sentclf.text",
    "sentclf.archive",
    "sentclf.progress",
    "sentclf.sinks",
}
ALLOWED = {
    "sentclf.nn": {"sentclf.errors"},
    "sentclf.data": {"sentclf.errors", "sentclf.paths"},
    "sentclf.classify": SHARED | {"sentclf.data", "sentclf.nn"},
    "sentclf.lm": SHARED | {"sentclf.data", "sentclf.nn"},
    "sentclf.cli": SHARED | {"sentclf.data", "sentclf.nn", "sentclf.classify", "sentclf.lm"},
}
HEAVY = ("sklearn", "scipy", "matplotlib", "numpy", "joblib", "nltk")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list:
    """(imported module, names) for every import statement of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def product(name: str) -> str | None:
    if name == "sentclf.__main__":  # python -m sentclf: the CLI's entry point
        return "sentclf.cli"
    return next((p for p in ALLOWED if name == p or name.startswith(p + ".")), None)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_architecture_each_product_imports_only_what_is_below_it(path):
    here = module_name(path)
    own = product(here)
    for module, names in imports(path):
        if not module.startswith("sentclf"):
            assert module.split(".")[0] != "click" or own == "sentclf.cli", f"{here} imports click"
            continue
        targets = [f"{module}.{n}" for n in names if f"{module}.{n}".replace(".", "/") + ".py" in _files()] or [module]
        for target in targets:
            if own is None:  # a shared module: only errors, paths and the other shared modules
                assert target in SHARED or target == "sentclf.nn", f"{here} imports {target}"
            elif product(target) != own:
                allowed = ALLOWED[own]
                assert target in allowed or product(target) in allowed, f"{here} ({own}) imports {target}"


def _files() -> set:
    return {str(p.relative_to(ROOT).with_suffix("")) + ".py" for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_architecture_modules_are_small_and_keep_to_public_names(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, f"{path}: over 400 lines: two concepts?"
    for module, names in imports(path):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not (module.startswith("sentclf") and private), f"{path} imports {module}'s private {private}"


MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_architecture_no_module_level_mutable_state(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Global), f"{path}:{node.lineno}: 'global' rebinds module state"
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                name = ast.unparse(decorator.func if isinstance(decorator, ast.Call) else decorator)
                assert "cache" not in name, f"{path}:{node.lineno}: @{name} keeps module-level state"
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            value = node.value
            mutable = isinstance(value, (ast.List, ast.Set, ast.ListComp, ast.SetComp, ast.Dict, ast.DictComp)) or (
                isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] in MUTABLE_CALLS
            )
            # UPPER_CASE tables are constants by convention (registries, lookup tables): never written to
            variables = [n for n in names if not n.isupper()]
            assert not (mutable and variables), f"{path}:{node.lineno}: module-level mutable {variables}"


STARTUP = """
import json, sys
from sentclf.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="sentclf", standalone_mode=False)
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("\\n" + json.dumps(heavy))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["info", "tests/golden/legacy-0.1.0.sentclf"],
        ["data", "list"],
        ["train", "--help"],
        ["lm", "--help"],
    ],
)
def test_architecture_start_up_imports_nothing_heavy(args, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", STARTUP % (HEAVY,), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"SENTCLF_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert result.stdout.strip(), result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("preset, expected", [(None, "16"), ("24", "24")])
def test_architecture_importing_sentclf_shortens_openblas_spinning_unless_the_user_chose(preset, expected, tmp_path):
    """OpenBLAS reads OPENBLAS_THREAD_TIMEOUT when numpy loads it: sentclf sets a short one (its
    idle threads otherwise hold the cores through the softmax) and keeps a value already set."""
    env = {"PATH": "/usr/bin:/bin", **({"OPENBLAS_THREAD_TIMEOUT": preset} if preset else {})}
    code = "import os, sys, sentclf; print(os.environ['OPENBLAS_THREAD_TIMEOUT'], 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert result.stdout.split() == [expected, "False"]
