"""The HTML components: escaped, accessible, self-contained."""

from __future__ import annotations

from sentclf.html.components import confusion_matrix, document, highlighted_words, probability_bars
from tests.html.dom import Elements, fetches_nothing

WORDS = {
    "label": "pos",
    "words": [
        {"word": "loved", "contributions": {"pos": 0.8, "neg": -0.8}},
        {"word": "<b>it</b>", "contributions": {"pos": -0.2, "neg": 0.2}},
        {"word": "a", "contributions": {"pos": 0.0, "neg": 0.0}},
    ],
}


def test_bars_are_the_likeliest_first_and_say_their_values():
    page = probability_bars({"neg": 0.25, "pos": 0.75}, "pos")
    bars = Elements(page).all("span", "role")
    assert [a["aria-label"] for a, _ in bars] == ["pos: 75.0%", "neg: 25.0%"]
    assert Elements(page).all("span", "data-label")[0][0]["data-label"] == "pos"


def test_words_are_coloured_by_sign_and_strength_and_escaped():
    page = highlighted_words(WORDS)
    marks = Elements(page).all("mark", "data-word")
    assert [a["data-word"] for a, _ in marks] == ["loved", "<b>it</b>", "a"]
    assert "<b>it</b>" not in page and "&lt;b&gt;it&lt;/b&gt;" in page
    loved, it, a = (m[0] for m in marks)
    assert "37, 99, 235, 0.60" in loved["style"] and "234, 88, 12" in it["style"] and a["style"] == ""
    assert loved["title"] == "+0.800: towards pos" and it["title"] == "-0.200: away from pos"
    assert all(m[0]["tabindex"] == "0" for m in marks)  # reachable by keyboard, its value in its label
    assert "away from it" in page and "away from it" not in highlighted_words(WORDS, legend=False)


def test_no_words_says_so():
    assert "(no words)" in highlighted_words({"label": "pos", "words": []})


def test_confusion_matrix_rows_are_true_labels():
    page = confusion_matrix(["neg", "pos"], [[3, 1], [0, 4]], "lr")
    rows = Elements(page).all("th", "scope")
    assert [t for a, t in rows if a["scope"] == "row"] == ["neg", "pos"]


def test_a_document_is_self_contained_and_readable_on_a_phone():
    page = document("t <x>", "<p>hi</p>", "let a = 1;")
    assert fetches_nothing(page) and "<title>t &lt;x&gt;</title>" in page
    assert 'name="viewport"' in page and 'lang="en"' in page
