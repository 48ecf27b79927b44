"""Reading sentclf's HTML back: the elements of a page by tag and attribute (stdlib parser)."""

from __future__ import annotations

from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every start tag as (tag, {attribute: value}, text inside it up to the next tag)."""

    def __init__(self, page: str):
        super().__init__()
        self.found: list = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append([tag, dict(attrs), ""])

    def handle_data(self, data):
        if self.found:
            self.found[-1][2] += data

    def all(self, tag: str, attribute: str | None = None) -> list:
        return [(a, t) for name, a, t in self.found if name == tag and (attribute is None or attribute in a)]


def fetches_nothing(page: str) -> bool:
    """No script, style, image or font comes from anywhere else (data: URIs are the page's own)."""
    elements = Elements(page)
    sources = [a.get("src") or a.get("href") for tag, a, _ in elements.found if tag in ("script", "img", "link")]
    return all(s is None or s.startswith("data:") for s in sources) and "@import" not in page and "url(http" not in page
