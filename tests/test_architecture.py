"""The layout's rules, checked on the source: products and what each may import, the classifier's
verbs above its subpackages, no import cycle anywhere (every import statement counts, function-local
and relative ones too), module size, no reaching into another module's private names, no
module-level mutable state, and a quick start-up (the commands that need no model import neither
scikit-learn, SciPy, matplotlib nor numpy)."""

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
    "sentclf.atomic",
    "sentclf.progress",
    "sentclf.sinks",
}
ALLOWED = {
    "sentclf.nn": {"sentclf.errors"},
    "sentclf.data": {"sentclf.errors", "sentclf.paths"},
    "sentclf.classify": SHARED | {"sentclf.data", "sentclf.nn"},
    "sentclf.lm": SHARED | {"sentclf.data", "sentclf.nn"},
    "sentclf.lecture": {"sentclf.errors", "sentclf.nn"},
    "sentclf.html": SHARED,
    "sentclf.serve": SHARED | {"sentclf.data", "sentclf.classify", "sentclf.html"},
    "sentclf.cli": SHARED
    | {
        "sentclf.data",
        "sentclf.nn",
        "sentclf.classify",
        "sentclf.lm",
        "sentclf.lecture",
        "sentclf.serve",
        "sentclf.html",
    },
}
HEAVY = ("sklearn", "scipy", "matplotlib", "numpy", "joblib", "nltk")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict:
    """{module: {sentclf modules it imports}} from every import statement of every file of
    ``package`` (a folder): module-level and function-local, absolute and relative. ``from a.b import
    c`` counts as importing a.b.c when that is a module, else a.b; the package itself is no edge."""
    root = package.parent
    files = {module_name(p, root): p for p in package.rglob("*.py")}
    graph: dict = {name: set() for name in files}

    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in files.items():
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    module = ".".join(base[: len(base) - (node.level - 1)] + ([module] if module else []))
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in files else module for a in node.names]
            for target in targets:
                found = resolve(target) if target.split(".")[0] == package.name else None
                if found and found not in (name, package.name):
                    graph[name].add(found)
    return graph


def cycles(graph: dict) -> list:
    """The strongly connected sets of two or more modules (Tarjan), each sorted: every import cycle."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    found: list = []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


GRAPH = import_graph(PACKAGE)


def test_architecture_no_import_cycles_function_local_imports_included():
    assert cycles(GRAPH) == []


def test_architecture_the_cycle_check_finds_a_planted_cycle(tmp_path):
    """The check above can fail: two modules that import each other inside functions (relative and
    absolute imports), and a three-module ring, are found."""
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from planted.b import g\n    return g\n")
    (package / "b.py").write_text("def g():\n    from . import a\n    return a\n")
    (package / "c.py").write_text("import planted.d\n")
    (package / "d.py").write_text("def h():\n    from .e import x\n")
    (package / "e.py").write_text("def x():\n    import planted.c\n")
    (package / "leaf.py").write_text("from planted import a\n")
    assert cycles(import_graph(package)) == [["planted.a", "planted.b"], ["planted.c", "planted.d", "planted.e"]]


def product(name: str) -> str | None:
    if name == "sentclf.__main__":  # python -m sentclf: the CLI's entry point
        return "sentclf.cli"
    return next((p for p in ALLOWED if name == p or name.startswith(p + ".")), None)


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_architecture_each_product_imports_only_what_is_below_it(name):
    own = product(name)
    for target in GRAPH[name]:
        if own is None:  # a shared module: only the other shared modules
            assert target in SHARED, f"{name} imports {target}"
        elif product(target) != own:
            allowed = ALLOWED[own]
            assert target in allowed or product(target) in allowed, f"{name} ({own}) imports {target}"


CLASSIFY = "sentclf.classify"
VERBS = {module_name(p) for p in (PACKAGE / "classify").glob("*.py") if p.name != "__init__.py"}


@pytest.mark.parametrize("name", sorted(n for n in GRAPH if n.startswith(CLASSIFY + ".") and n not in VERBS))
def test_architecture_the_classifiers_subpackages_never_import_its_verbs(name):
    """classify/'s top modules (the verbs, their configs, the rows) use the subpackages, never the
    other way round: a subpackage is one concern, reusable without the commands."""
    assert not GRAPH[name] & VERBS, f"{name} imports {sorted(GRAPH[name] & VERBS)}"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_architecture_no_module_is_named_twice_in_a_product(package):
    """One concept, one name: two modules called encoder.py or workers.py in one product make a reader
    ask which (each product may have its own config.py or training.py, as lm/ and classify/ do)."""
    stems = [p.stem for p in MODULES if product(module_name(p)) == package and p.stem != "__init__"]
    assert sorted({s for s in stems if stems.count(s) > 1}) == []


def imports(path: Path) -> list:
    """(imported module, names) for every absolute import statement of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_architecture_only_the_cli_imports_click(path):
    if product(module_name(path)) != "sentclf.cli":
        assert all(module.split(".")[0] != "click" for module, _ in imports(path)), f"{path} imports click"


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


def test_architecture_every_package_folder_is_installed():
    """pyproject.toml lists the packages a wheel installs: a folder left off works in the editable
    checkout and is missing from every real install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {module_name(init.parent / "__init__.py") for init in PACKAGE.rglob("__init__.py")}
    assert folders - listed == set()
