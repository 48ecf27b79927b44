"""Bad input, as a new user gives it: every case is one ``Error:`` line on stderr and exit 1, or, for
two options that cannot go together (or one that would do nothing), a usage error naming both,
exit 2. Never a traceback, never a bare ``Aborted!``. The cases of issue 23 come first."""

from __future__ import annotations

import gzip
import shlex

import pytest

from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def work(tmp_path_factory, fixtures_dir):
    """A folder of bad inputs we wrote, and the models to score them with."""
    folder = tmp_path_factory.mktemp("bad")
    text = (fixtures_dir / "tiny.csv").read_text()
    (folder / "data.csv").write_text(text)
    (folder / "docs.txt").write_text("great fun\nawful\n")
    (folder / "s.txt.gz").write_bytes(gzip.compress(b"great fun\nawful\n"))
    (folder / "truncated.txt.gz").write_bytes(gzip.compress(b"great fun\n" * 1000)[:40])
    (folder / "truncated.csv.gz").write_bytes(gzip.compress(text.encode() * 40)[:60])
    (folder / "pets.txt").write_text((fixtures_dir / "pets.txt").read_text())
    rows = "".join(f"{line},{label}\n" for line, label in [("great fun", "pos"), ("awful", "neg")] * 6)
    (folder / "wide.csv").write_text('text,label\n"' + "x" * 200_000 + '",pos\n' + rows)
    (folder / "widehead.csv").write_text("t" * 200_000 + ",label\nx,pos\n")
    (folder / "semicolon.csv").write_text("text;label\n" + rows.replace(",", ";"))
    (folder / "unlabelled.csv").write_text("text\n" + "great day\nawful day\n" * 5)
    (folder / "unlabelled.jsonl").write_text('{"text": "great day"}\n{"text": "awful day"}\n' * 5)
    model = folder / "M.sentclf"
    assert run("-q", "train", folder / "data.csv", "-o", model, "--test-size", "0.25").exit_code == 0
    lm = folder / "pets.lm"
    assert run("-q", "lm", "train", folder / "pets.txt", "-o", lm, "--min-count", "1", "--epochs", "2").exit_code == 0
    (folder / "truncated.lm").write_bytes(lm.read_bytes()[: lm.stat().st_size // 2])
    return folder


@pytest.fixture(scope="module")
def fixtures_dir():
    from tests.conftest import FIXTURES

    return FIXTURES


def invoke(work, command: str, stdin: str | None = None):
    return run(*[arg.replace("W/", f"{work}/") for arg in shlex.split(command)], input=stdin)


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr, result.stderr
    assert lines and lines[-1].startswith("Error: "), result.stderr
    assert sum(line.startswith("Error: ") for line in lines) == 1, result.stderr
    return lines[-1]


ERRORS = [  # exit 1: one Error line, saying what to do
    ("predict -m W/M.sentclf W/data.csv --encoding bogus-enc", "unknown encoding 'bogus-enc': use a Python codec"),
    ("features --encoding bogus-enc W/data.csv", "unknown encoding 'bogus-enc'"),
    ("predict -m W/M.sentclf W/data.csv -o W/o.parquet --scheduler bogus://x", "--scheduler takes 'local'"),
    ("compare W/data.csv --cv 2 --features six --models lr --scheduler bogus://x", "not 'bogus://x'"),
    ("lm train W/pets.txt -o W/d.lm --lr 10 --min-count 1 --force", "training diverged in epoch 1"),
    ("lm train W/pets.txt -o W/d.lm --lr 1000 --min-count 1 --force", "lower --lr (it was 1000)"),
    ("evaluate W/data.csv -m W/M.sentclf --restrict --label-map pos=neg", "--restrict lets only DATA's labels"),
    ("predict -m W/M.sentclf W/truncated.txt.gz", "not a readable gzip file, or it is truncated"),
    ("features W/truncated.txt.gz -o W/f.jsonl", "truncated.txt.gz: not a readable gzip file"),
    ("predict -m W/M.sentclf W/truncated.csv.gz", "truncated.csv.gz: not a readable gzip file"),
    ("lm train W/s.txt.gz -o W/e.lm --encoding bogus --min-count 1", "unknown encoding 'bogus'"),
    ("lm train W/truncated.txt.gz -o W/e.lm --min-count 1", "not a readable gzip file, or it is truncated"),
    ("lm perplexity W/pets.lm W/truncated.txt.gz", "not a readable gzip file, or it is truncated"),
    ("lm perplexity W/pets.lm W/pets.txt --encoding bogus", "unknown encoding 'bogus'"),
    ("info W/truncated.lm", "not a sentclf language model (or it is corrupt or truncated): remake it with 'sentclf lm"),
    ("train W/widehead.csv -o W/x.sentclf --force", f"(columns: {'t' * 39}…, label): pass --text-col"),
    ("train W/data.csv --members six:svm --model ensemble", "not 'six:svm'"),
    ("train W/data.csv --alpha -1", "--alpha must be 0 or more, not -1.0"),
    ("train data:nope", "unknown dataset 'nope'"),
    ("train W/data.csv --lexicon-dir W/missing", "lexicon folder not found"),
    ("explain -m W/M.sentclf --use nb hi", "holds no 'nb' model (it holds lr, mlp)"),
    ("predict -m W/pets.lm W/docs.txt", "not a sentclf model file: it is a sentclf language model"),
    ("predict -m W/M.sentclf W/docs.txt -o W/x.csv --scheduler local:1", "-o names a Parquet dataset"),
    ("predict -m W/M.sentclf W/docs.txt -o W/x.parquet --scheduler local:0", "local:N takes a number of worker"),
]


@pytest.mark.parametrize(("command", "message"), ERRORS, ids=[c for c, _ in ERRORS])
def test_bad_input_is_one_error_line(work, command, message):
    result = invoke(work, command)
    assert result.exit_code == 1, result.stderr
    assert message in one_error_line(result)


USAGE = [  # exit 2: the conflict named, both options
    ("predict -m W/M.sentclf W/docs.txt --jsonl --csv", "--jsonl and --csv cannot go together"),
    ("features W/docs.txt --jsonl --csv", "--jsonl and --csv cannot go together"),
    ("predict -m W/M.sentclf W/docs.txt -o W/o.csv --csv", "-o and --csv cannot go together"),
    ("predict -m W/M.sentclf W/docs.txt --force", "--force replaces the file -o names"),
    ("predict -m W/M.sentclf W/docs.txt --id-col id", "--id-col names a table column, and no input is a table"),
    ("train W/data.csv --optimize accuracy --model lr", "--optimize accuracy and --model lr cannot go together"),
    ("train W/data.csv --model lr --members six:lr,six:mlp", "--members and --model lr cannot go together"),
    ("train W/data.csv --ensemble soft", "--ensemble and --model lr,mlp cannot go together"),
    ("train W/data.csv --model ensemble --features six", "--features and the ensemble cannot go together"),
    ("train W/data.csv --model lr --hidden 50", "--hidden is an option of the MLP, and --model lr trains none"),
    ("train W/data.csv --model mlp --lr-c 2", "--lr-c is an option of logistic regression"),
    ("train W/data.csv --epochs 3", "--epochs is an option of --stream"),
    ("train W/data.csv --stream --features ngrams -o W/s.sentclf", "--stream and --features ngrams cannot go"),
    ("train W/data.csv --stream --calibrate sigmoid -o W/s.sentclf", "--stream and --calibrate cannot go together"),
    ("train W/data.csv --pool mean", "--pool needs --embeddings SOURCE"),
    ("features W/docs.txt --pool median", "--pool needs --embeddings SOURCE"),
    ("features W/docs.txt --embeddings-format glove", "--embeddings-format needs --embeddings SOURCE"),
    ("features --labels W/data.csv --jsonl", "--jsonl is an option of the feature dump, not of --labels"),
    ("features W/docs.txt --json", "--json is an option of --labels"),
    ("compare W/data.csv --members six:lr", "--members and --models lr,mlp cannot go together"),
    ("compare W/data.csv --scheduler local --jobs 2", "--scheduler and --jobs cannot go together"),
    ("lm train W/pets.txt -o W/x.lm --loss sampled --tie", "--loss sampled and --tie cannot go together"),
    ("lm train W/pets.txt -o W/x.lm --samples 8", "--samples is an option of --loss sampled"),
    ("lm train W/pets.txt -o W/x.lm --no-baseline --ngram-order 4", "--no-baseline skips it"),
    ("predict -m W/M.sentclf W/data.csv --skip-bad", "every input is a table"),
]


@pytest.mark.parametrize(("command", "message"), USAGE, ids=[c for c, _ in USAGE])
def test_bad_input_conflicting_options_are_usage_errors_naming_both(work, command, message):
    result = invoke(work, command)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Usage: ") and command.split()[0] in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert message in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "command",
    [
        "train W/wide.csv -o W/w.sentclf --force --test-size 0.25",
        "evaluate W/wide.csv -m W/M.sentclf",
        "compare W/wide.csv --cv 2 --features six --models lr",
        "features --labels W/wide.csv",
        "predict -m W/M.sentclf W/wide.csv",
    ],
)
def test_bad_input_a_field_over_128_kib_is_read(work, command):
    """The csv module's 128 KiB field limit is raised while sentclf reads: a long review is a document."""
    result = invoke(work, command)
    assert result.exit_code == 0, result.stderr


def test_bad_input_a_semicolon_separated_csv_is_read(work):
    trained = invoke(work, "train W/semicolon.csv -o W/semi.sentclf --force --test-size 0.25 --json -q")
    assert trained.exit_code == 0, trained.stderr
    predicted = invoke(work, "predict -m W/M.sentclf W/semicolon.csv --jsonl -q")
    assert predicted.exit_code == 0 and len(predicted.stdout.splitlines()) == 12


def test_bad_input_a_header_read_as_one_column_says_why(tmp_path):
    data = tmp_path / "pipes.csv"
    data.write_text("text|label\ngreat|pos\n")
    line = one_error_line(run("train", data))
    assert "the header 'text|label' is one column" in line


def test_bad_input_predict_a_gzipped_text_file_on_a_local_cluster(work):
    result = invoke(work, "predict -m W/M.sentclf W/s.txt.gz -o W/s.parquet --scheduler local:1 --force -q")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("table", ["unlabelled.csv", "unlabelled.jsonl"])
def test_bad_input_lm_train_reads_tables_without_labels(work, table):
    result = invoke(work, f"lm train W/{table} -o W/u.lm --min-count 1 --epochs 1 --force --json -q")
    assert result.exit_code == 0, result.stderr


def test_bad_input_train_stream_on_the_default_corpus_works(tmp_path):
    result = run("-q", "train", "--stream", "--model", "lr", "-o", tmp_path / "s.sentclf", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"stream"' in result.stdout and (tmp_path / "s.sentclf").exists()


def test_bad_input_quiet_silences_warnings_too(work):
    result = invoke(work, "predict -m W/M.sentclf - -q", stdin="great\n\n")
    assert result.exit_code == 0 and result.stderr == ""  # an empty line warns without -q
    assert "empty document" in invoke(work, "predict -m W/M.sentclf -", stdin="great\n\n").stderr


def test_bad_input_kneser_ney_infinite_is_explained(tmp_path):
    text = tmp_path / "rare.txt"
    text.write_text("".join(f"w{i} w{i + 1} w{i + 2} w{i + 3}\n" for i in range(0, 400, 4)))
    result = run("-q", "lm", "train", text, "-o", tmp_path / "r.lm", "--min-count", "1", "--epochs", "1")
    assert result.exit_code == 0, result.stderr
    assert "Kneser-Ney is infinite" in result.stdout and "--min-count 2" in result.stdout
