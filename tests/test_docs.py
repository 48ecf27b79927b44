"""The user guide is true: every ``$ sentclf ...`` line of its console blocks runs as written (page by
page, in a scratch folder holding the guide's files), every Python block runs, and every relative
link, anchors included, leads somewhere. Lines marked ``# needs make minilm`` run when the sentence
encoder's model package is installed."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentclf.cli import cli
from tests.test_readme import NEEDS_MINILM, minilm_installed

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINKED = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "SECURITY.md", *PAGES]


def console_commands(page: Path) -> list:
    """The ``$ sentclf`` lines of a page's console blocks, without their trailing comments."""
    blocks = re.findall(r"```console\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.startswith("$ sentclf")]
    return [(line[2:].split("  #")[0].strip(), NEEDS_MINILM in line) for line in lines]


def python_blocks(page: Path) -> list:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A folder holding a copy of docs/, where the examples' relative paths lead."""
    folder = tmp_path_factory.mktemp("guide")
    shutil.copytree(DOCS, folder / "docs")
    (folder / "build").mkdir()
    return folder


def test_docs_every_page_has_examples():
    for page in PAGES:
        assert console_commands(page) or python_blocks(page), f"{page.name} shows no example"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_docs_console_examples_run_as_written(page, scratch, monkeypatch):
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("SENTCLF_MODEL", str(scratch / "default.sentclf"))
    monkeypatch.setenv("SENTCLF_DATA", str(scratch / "datasets"))
    for command, needs_minilm in console_commands(page):
        if needs_minilm and not minilm_installed():
            continue
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{page.name}: {command}: {result.stderr}"
        assert result.stdout.strip() or "wrote" in result.stderr, f"{page.name}: {command} said nothing"


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.name)
def test_docs_python_examples_run_as_written(page, scratch, monkeypatch, capsys):
    monkeypatch.chdir(scratch)
    for block in python_blocks(page):
        exec(compile(block, str(page), "exec"), {})
    assert capsys.readouterr().out.strip() or "print(" not in "".join(python_blocks(page))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("source", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_relative_links_lead_somewhere(source):
    text = re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        file, _, anchor = target.partition("#")
        path = (source.parent / file).resolve() if file else source
        assert path.exists(), f"{source.name}: {target}: no such file"
        if anchor:
            assert anchor in anchors(path), f"{source.name}: {target}: no such heading"
