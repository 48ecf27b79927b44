"""The page at ``/``: a text box, the label, every class's probability as a bar, and the words
coloured by how much each pushed the decision. One file with its style and script inline (works
offline, no CDN); ``/?text=...`` is rendered by the server, so a link shows its prediction on load
even without the script; ``/#text=...`` is filled in and asked by the script, so the text never
reaches a log of request lines."""

from __future__ import annotations

from html import escape

from sentclf.html.components import document, highlighted_words, probability_bars

# The script only posts the text to /render and shows the fragment the server renders: one renderer,
# in Python, for the page, the shared link and the reports.
SCRIPT = r"""
const form = document.getElementById("ask"), out = document.getElementById("result");
const box = document.getElementById("text"), token = document.getElementById("token");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = box.value.trim();
  if (!text) { out.innerHTML = '<p class="error" role="alert">Type a text first.</p>'; return; }
  out.setAttribute("aria-busy", "true");
  const headers = {"Content-Type": "application/json"};
  if (token && token.value) headers["Authorization"] = "Bearer " + token.value;
  try {
    const response = await fetch("render", {method: "POST", headers, body: JSON.stringify({inputs: text})});
    if (response.ok) {
      out.innerHTML = await response.text();
      history.replaceState(null, "", "#text=" + encodeURIComponent(text));
    } else {
      const problem = await response.json().catch(() => ({}));
      const p = document.createElement("p");
      p.className = "error"; p.setAttribute("role", "alert");
      p.textContent = "Error " + response.status + ": " + (problem.error || JSON.stringify(problem.detail || problem));
      out.replaceChildren(p);
    }
  } catch (error) {
    out.innerHTML = '<p class="error" role="alert">The server did not answer.</p>';
  }
  out.removeAttribute("aria-busy");
});
box.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});
// /#text=...: a link whose text stays in the browser (a fragment is never sent in the request line)
if (location.hash.startsWith("#text=")) {
  box.value = decodeURIComponent(location.hash.slice(6));
  form.requestSubmit();
}
"""


def result_fragment(text: str, label: str, probabilities: dict, words: dict) -> str:
    """The answer for one text: its label and bars, then its words coloured."""
    return (
        f'<section aria-label="Prediction" data-text="{escape(text)}">'
        f"{probability_bars(probabilities, label)}"
        f"<h2>Which words decided it</h2>{highlighted_words(words, label if label in probabilities else None)}"
        "</section>"
    )


def page(text: str, shown: str, token_required: bool) -> str:
    """The whole page, with ``shown`` (a rendered result, or '') under the form."""
    token = (
        '<label for="token">Bearer token</label><input type="password" id="token" autocomplete="off">'
        if token_required
        else ""
    )
    body = (
        "<main><h1>sentclf</h1>"
        '<form id="ask" method="get" action="">'
        '<label for="text">Text to classify</label>'
        f'<textarea id="text" name="text" required>{escape(text)}</textarea>{token}'
        '<button type="submit">Classify</button> <span class="muted">(Ctrl+Enter)</span></form>'
        f'<div id="result" aria-live="polite">{shown}</div>'
        '<p class="muted"><a href="docs">API</a> · <a href="health">health</a> · <a href="info">model</a></p>'
        "</main>"
    )
    return document("sentclf", body, SCRIPT)
