"""The HTML components: escaped, accessible, self-contained."""

from __future__ import annotations

import re

from sentclf.html.components import STYLE, confusion_matrix, document, highlighted_words, probability_bars
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


def luminance(rgb) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0-255 channels)."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_colour(name: str) -> tuple:
    value = re.search(rf"{name}: #([0-9a-f]{{6}})", STYLE).group(1)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def test_text_meets_wcag_aa_contrast_even_on_the_strongest_highlight():
    ink, muted, white = hex_colour("--ink"), hex_colour("--muted"), (255, 255, 255)
    assert contrast(ink, white) >= 4.5 and contrast(muted, white) >= 4.5
    button = re.search(r"button \{[^}]*background: #([0-9a-f]{6})", STYLE).group(1)
    assert contrast(white, tuple(int(button[i : i + 2], 16) for i in (0, 2, 4))) >= 4.5
    words = {
        "label": "pos",
        "words": [{"word": w, "contributions": {"pos": v}} for w, v in (("up", 1.0), ("down", -1.0))],
    }
    for attributes, _ in Elements(highlighted_words(words)).all("mark", "data-word"):  # the strongest tints
        *channels, alpha = (float(x) for x in re.search(r"rgba\(([^)]*)\)", attributes["style"]).group(1).split(","))
        over_white = [255 - alpha * (255 - c) for c in channels]
        assert contrast(ink, over_white) >= 4.5, attributes["data-word"]
