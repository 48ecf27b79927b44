"""Golden outputs: what every README command prints, recorded before the package was reorganized.

Each command runs through the CLI in a scratch folder; its stdout, with timings, dates, sizes and
scratch paths masked, must equal ``tests/golden/commands.txt``. A change of behaviour shows up here
as a diff. To record new outputs on purpose: ``SENTCLF_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

from click.testing import CliRunner

from sentclf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "commands.txt"

# The README's commands (quickstart, demo, each section), with fixtures standing in for user files.
COMMANDS = [
    "sentclf train",
    "sentclf predict docs/sample.txt",
    "sentclf predict docs/sample.txt --jsonl --use lr",
    "sentclf predict docs/sample.txt --csv",
    'sentclf explain "The crew was great, but I lost my bag!"',
    'sentclf explain "It\'s hokey, but the cast is great and I loved the music!" --json',
    "sentclf features docs/sample.txt",
    "sentclf features docs/sample.txt --jsonl",
    "sentclf features docs/sample.txt --csv",
    "sentclf features --labels FIX/tiny.csv",
    "sentclf features - --jsonl --lexicon-dir FIX/lexicon_dir < TEXTBOOK",
    "sentclf features docs/sample.txt --jsonl --embeddings FIX/vectors/tiny.glove.txt --pool mean",
    "sentclf info",
    "sentclf compare --features six --cv 3 --models lr",
    "sentclf data list",
    "sentclf train FIX/tiny.csv -o TMP/tiny.sentclf --test-size 0.25",
    "sentclf train FIX/tiny.jsonl -o TMP/emb.sentclf --test-size 0.25 --embeddings FIX/vectors/tiny.glove.txt --json",
    "sentclf info TMP/emb.sentclf",
    "sentclf evaluate FIX/tiny.jsonl -m TMP/tiny.sentclf",
    "sentclf evaluate FIX/tiny.jsonl -m TMP/tiny.sentclf --json",
    'sentclf explain -m TMP/tiny.sentclf "What a wonderful, enjoyable film!"',
    "sentclf predict -m TMP/tiny.sentclf FIX/tiny.ft --jsonl",
    "sentclf compare FIX/tiny.csv --cv 3 --features six,six+ngrams,ngrams --markdown",
    "sentclf compare FIX/three_class.jsonl --cv 2 --json",
    "sentclf lm train docs/pets.txt -o TMP/pets.lm --min-count 1 --epochs 20 --force",
    'sentclf lm next TMP/pets.lm "I forgot to make sure that the dog gets" -k 3',
    "sentclf lm neighbors TMP/pets.lm dog -k 3 --json",
    "sentclf lm perplexity TMP/pets.lm docs/pets.txt",
    "sentclf lm export TMP/pets.lm TMP/pets.vec",
    "sentclf info TMP/pets.lm",
]

TEXTBOOK = (
    "It's hokey. There are virtually no surprises, and the writing is second-rate. So why was it so "
    "enjoyable? For one thing, the cast is great. Another nice touch is the music. I was overcome with "
    "the urge to get off the couch and start dancing. It sucked me in, and it'll do the same to you."
)

VOLATILE_KEYS = re.compile(r"seconds|per_s|created|environment|^plots$|tokens_per_second|sha256$")
PATH_KEYS = ("path", "model")  # masked where they hold a scratch path (a string), kept where they hold a config


def _drop_volatile(obj):
    if isinstance(obj, dict):
        return {
            k: ("<masked>" if VOLATILE_KEYS.search(k) or (k in PATH_KEYS and isinstance(v, str)) else _drop_volatile(v))
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_drop_volatile(v) for v in obj]
    if isinstance(obj, float):  # 12 digits: a new numpy or scipy moves the 16th, which no behaviour depends on
        return float(f"{obj:.12g}")
    return obj


def normalize(text: str, tmp: Path) -> str:
    """Mask what changes from run to run: timings, throughput, dates, file sizes, scratch paths."""
    text = text.replace(str(tmp), "TMP")
    stripped = text.strip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            return json.dumps(_drop_volatile(json.loads(stripped)), indent=1, sort_keys=True)
        except ValueError:
            pass
    lines = []
    for line in text.splitlines():
        if line.startswith(("train seconds", "predict docs/s", "created ")):
            line = line.split("  ")[0] + "  <masked>"
        line = re.sub(r"\(([\d,]+) bytes", "(<n> bytes", line)
        line = re.sub(r"[\d,]+ tokens/s", "<n> tokens/s", line)
        if "±" in line:  # compare rows: the last two columns are train seconds and docs/s
            sep = "|" if line.startswith("|") else None
            if sep:
                cells = line.split("|")
                cells[-3:-1] = [" <masked> ", " <masked> "]
                line = "|".join(cells)
            else:
                line = re.sub(r"\s+[\d.]+\s+[\d,]+$", "  <masked>", line)
        lines.append(line)
    return "\n".join(lines)


def run_all(tmp: Path) -> str:
    fix = ROOT / "tests" / "fixtures"
    out = []
    for command in COMMANDS:
        text = command.replace("FIX", str(fix)).replace("TMP", str(tmp))
        stdin = None
        if text.endswith("< TEXTBOOK"):
            text, stdin = text[: -len("< TEXTBOOK")].strip(), TEXTBOOK
        result = CliRunner().invoke(cli, shlex.split(text)[1:], input=stdin)
        assert result.exit_code == 0, f"{command}: {result.stderr}"
        out.append(f"$ {command}\n{normalize(result.stdout.replace(str(fix), 'FIX'), tmp)}\n")
    return "\n".join(out)


FLOAT = re.compile(r"(-?\d+\.\d+(?:e[-+]?\d+)?)")


def same_output(got: str, want: str) -> bool:
    """The same text, and the same decimals to a millionth of their size: the last digits of a float
    printed to 12 places move with the BLAS's summation order (its threads, how busy the machine is,
    the CPU), by about 1e-7 for the LM's float32 weights; a change of behaviour moves them far more."""
    import math

    got_parts, want_parts = FLOAT.split(got), FLOAT.split(want)
    if len(got_parts) != len(want_parts) or got_parts[::2] != want_parts[::2]:
        return got == want  # pytest shows the diff of the texts
    return all(
        math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(got_parts[1::2], want_parts[1::2])
    )


def test_golden_outputs_of_the_readme_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SENTCLF_MODEL", str(tmp_path / "default.sentclf"))
    monkeypatch.setenv("SENTCLF_DATA", str(tmp_path / "datasets"))
    actual = run_all(tmp_path)
    if os.environ.get("SENTCLF_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(actual, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    for want, got in zip(expected.split("\n$ "), actual.split("\n$ ")):
        assert same_output(got, want), f"output changed for: $ {want.splitlines()[0]}"
    assert len(expected.split("\n$ ")) == len(actual.split("\n$ "))
    shutil.rmtree(tmp_path / "datasets", ignore_errors=True)


def test_golden_comparison_forgives_the_last_digits_only():
    assert same_output('{"p": 0.430508456030, "n": 3}', '{"p": 0.430508426029, "n": 3}')
    assert not same_output('{"p": 0.43050, "n": 3}', '{"p": 0.43051, "n": 3}')
    assert not same_output('{"p": 0.430508456030, "n": 3}', '{"p": 0.430508456030, "n": 4}')
    assert not same_output("label positive 0.5", "label negative 0.5")
