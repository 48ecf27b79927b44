"""In a real browser (Debian's chromium, headless): the page served by a running `sentclf serve`,
its answer read back from the DOM, whether the server rendered it (/?text=) or the page's script
asked for it (/#text=); the HTML report opened the same way. Screenshots are kept in
build/test-artifacts/. Skipped, saying why, where chromium is not installed (`make browser`)."""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from sentclf.classify.modelfile import load
from sentclf.classify.prediction import Scorer
from sentclf.text import tokenize_all
from tests.html.dom import Elements

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: `make browser` (apt-get install chromium) to run these"
)


def browse(url: str, tmp_path: Path, screenshot: str | None = None) -> str:
    """The DOM after the page's scripts have run (a virtual-time budget lets its fetch finish)."""
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
    ]
    if screenshot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = [*flags, f"--screenshot={ARTIFACTS / screenshot}", "--window-size=420,900", url]
        subprocess.run(shot, capture_output=True, timeout=120, check=True)
    done = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def offline_label(model_path, text: str) -> str:
    scorer = Scorer.of(load(model_path))
    return scorer.score_tokens(tokenize_all([text]))[1][0]


@pytest.mark.parametrize("how", ["?text=", "#text="])
def test_the_page_shows_the_label_bars_and_words(server, trained_model, tmp_path, how):
    running = server("-m", trained_model)
    text = "I loved it, a wonderful film!"
    name = "serve-page.png" if how == "?text=" else None
    dom = browse(f"{running.url}/{how}{urllib.parse.quote(text)}", tmp_path, name)
    elements = Elements(dom)
    (label,) = [a["data-label"] for a, _ in elements.all("span", "data-label")]
    assert label == offline_label(trained_model, text)
    bars = [a["aria-label"] for a, _ in elements.all("span", "role")]
    assert len(bars) == 2 and bars[0].startswith(label)
    words = [a["data-word"] for a, _ in elements.all("mark", "data-word")]
    assert words == tokenize_all([text])[0]
    (box,) = [t for a, t in elements.all("textarea")]
    assert box == (text if how == "?text=" else "")  # the script sets the box's value, not its markup
    if name:
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_a_hostile_text_stays_text(server, trained_model, tmp_path):
    running = server("-m", trained_model)
    hostile = '<img src=x onerror="document.title=1"><script>document.title="owned"</script>'
    dom = browse(f"{running.url}/#text={urllib.parse.quote(hostile)}", tmp_path)
    elements = Elements(dom)
    assert len(elements.all("script")) == 1 and not elements.all("img")
    assert [t for _, t in elements.all("title")] == ["sentclf"]
    assert elements.all("mark", "data-word")


def test_the_html_report_opens_in_the_browser(trained_model, fixtures, tmp_path):
    from click.testing import CliRunner

    from sentclf.cli import cli

    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["evaluate", str(fixtures / "tiny.csv"), "-m", str(trained_model), "--html", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    dom = browse(out.as_uri(), tmp_path, "evaluate-report.png")
    elements = Elements(dom)
    assert [t for _, t in elements.all("h1")] == ["Evaluation"]
    assert len(elements.all("img")) >= 3 and any("accuracy" in t for _, t in elements.all("th"))
