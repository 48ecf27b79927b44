"""The pieces of sentclf's HTML, each a function from data to a string of escaped markup: the
page at ``serve``'s ``/`` and the ``--html`` reports are built of the same ones."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

# Colours chosen for contrast with the dark text over them (WCAG AA at the strongest tint) and
# told apart without colour: each coloured word also carries a sign and its value in its title.
TOWARDS, AGAINST = "37, 99, 235", "234, 88, 12"  # blue pushes towards the label, orange away
STYLE = """
:root { color-scheme: light; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --bar: #2563eb; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1rem; max-width: 60rem; background: #fff; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
label { font-weight: 600; display: block; margin-bottom: .25rem; }
textarea, input[type=password] { width: 100%; font: inherit; padding: .5rem; border: 2px solid var(--muted);
       border-radius: .375rem; }
textarea { min-height: 6rem; resize: vertical; }
textarea:focus, input:focus, button:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
button { font: inherit; font-weight: 600; padding: .5rem 1.25rem; margin-top: .5rem; border: 0;
         border-radius: .375rem; background: #1d4ed8; color: #fff; cursor: pointer; min-height: 2.75rem; }
.muted { color: var(--muted); }
.label { font-size: 1.25rem; font-weight: 700; }
.bars { display: grid; grid-template-columns: minmax(4rem, max-content) 1fr 4rem; gap: .25rem .5rem;
        align-items: center; margin: .5rem 0; }
.bar { background: #e5e7eb; border-radius: .25rem; height: 1.1rem; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--bar); }
.bars .value { text-align: right; font-variant-numeric: tabular-nums; }
.words { line-height: 2.1; font-size: 1.05rem; }
.words mark { color: var(--ink); padding: .1rem .2rem; border-radius: .25rem; }
.legend { font-size: .9rem; }
.legend .towards { background: rgba(TOWARDS, .45); } .legend .against { background: rgba(AGAINST, .45); }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; color: var(--muted); padding-bottom: .25rem; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
.error { color: #991b1b; font-weight: 600; }
@media (max-width: 30rem) { body { padding: .5rem; } .bars { grid-template-columns: max-content 1fr 3.5rem; } }
""".replace("TOWARDS", TOWARDS).replace("AGAINST", AGAINST)


def document(title: str, body: str, script: str = "") -> str:
    """A whole HTML page: the stylesheet inline, ``script`` inline, nothing fetched from elsewhere."""
    scripts = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}{scripts}</body></html>\n"
    )


def probability_bars(probabilities: dict, label: str | None = None) -> str:
    """One bar per class, the likeliest first, each labelled with its probability."""
    rows = []
    for name, p in sorted(probabilities.items(), key=lambda item: -item[1]):
        percent = 100 * float(p)
        rows.append(
            f'<span class="class">{escape(str(name))}</span>'
            f'<span class="bar" role="img" aria-label="{escape(str(name))}: {percent:.1f}%">'
            f'<span style="width:{percent:.1f}%"></span></span>'
            f'<span class="value">{percent:.1f}%</span>'
        )
    heading = f'<p>Label: <span class="label" data-label="{escape(label)}">{escape(label)}</span></p>' if label else ""
    return f'{heading}<div class="bars" data-probabilities>{"".join(rows)}</div>'


def highlighted_words(explained: dict, label: str | None = None, legend: bool = True) -> str:
    """The words of an explanation (``explain_words``' result) coloured by how much each pushed the
    text towards ``label`` (default: the predicted one): blue towards it, orange away, stronger for
    more; each word's title gives the signed value; ``legend``: say so under the words."""
    label = label or explained["label"]
    words = explained.get("words") or []
    if not words:
        return '<p class="words muted">(no words)</p>'
    values = [w["contributions"].get(label, 0.0) for w in words]
    top = max(abs(v) for v in values) or 1.0
    parts = []
    for word, value in zip(words, values):
        strength = min(1.0, abs(value) / top)
        colour = TOWARDS if value > 0 else AGAINST
        direction = "towards" if value > 0 else "away from"
        title = f"{value:+.3f}: {direction} {label}"
        style = f"background: rgba({colour}, {0.08 + 0.52 * strength:.2f})" if abs(value) > 1e-9 else ""
        text = escape(word["word"])
        parts.append(
            f'<mark tabindex="0" data-word="{text}" data-contribution="{value:.4f}" title="{escape(title)}" '
            f'aria-label="{text}, {escape(title)}" style="{style}">{text}</mark>'
        )
    key = (
        f'<p class="legend muted"><mark class="towards">blue</mark> pushed towards {escape(label)}, '
        f'<mark class="against">orange</mark> away from it (log-probability when the word is left out; '
        "hover or focus a word for its value)</p>"
    )
    return f'<p class="words" data-words>{" ".join(parts)}</p>{key if legend else ""}'


def table(headers: list, rows: list, caption: str | None = None) -> str:
    """A table of already-formatted cells (strings or numbers; numbers are shown as given)."""
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{escape(str(c))}</th>' if i == 0 else f"<td>{escape(str(c))}</td>")
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def confusion_matrix(labels: list, matrix: list, caption: str) -> str:
    """Rows: the true label; columns: the predicted one."""
    headers = ["true \\ predicted", *labels]
    return table(headers, [[label, *row] for label, row in zip(labels, matrix)], caption)


def picture(path, alt: str) -> str:
    """A PNG file embedded in the page (base64), so the page is one file."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}"></figure>'
