"""Tokenizing: one compiled regular expression, no downloaded data.

The rules follow NLTK's TweetTokenizer, which the tests use as a cross-check: URLs, @handles,
#hashtags, emoticons (``:)``, ``:-(``, ``<3``) and hyphenated or apostrophe words (``second-rate``,
``it's``) stay single tokens, other punctuation is split one character at a time, so ``!`` is a
token of its own (``!!!`` is three). Text is lower-cased first (so ``:D`` becomes ``:d``) and HTML
entities such as ``&amp;`` are unescaped. TweetTokenizer is many times slower than this one
expression on the default corpus (bench/README.md, "Figures behind the code's choices"), which is
why sentclf carries its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]'’”]"
_EMOTICON = (
    r"<3|</3|\^_\^|-_-|o_o|>_<"
    r"|[<>]?[:;=][\-o*']?(?:[)\](\[/\\}{@|]|[dpx](?!\w))"  # :) :-( ;-) :d :p (":done" is no emoticon)
    r"|[)\](\[\\}{@|][\-o*']?[:;=](?![\w)\](\[])"
)  # (: )-: reversed
# Leading blanks are consumed by the match itself (so the scanner never tries every alternative at a
# blank), and the word branch comes first because most tokens are words; it steps aside for URLs.
_TOKEN_RE = re.compile(
    r"\s*("
    + "|".join(
        [
            r"(?!https?://|www\.)[^\W\d_]\w*(?:['\-]\w+)*",  # words, inner hyphens/apostrophes: second-rate, it'll
            _URL,
            _EMOTICON,
            r"[@#]\w+",  # @handles, #hashtags
            r"\d+(?:[.,:/]\d+)*(?:['\-]?\w+)*",  # numbers and number-words: 5.99, 1,000, 10:30, 90-minute, 1990s
            r"\.(?:\s*\.)+",  # ellipsis
            r"\w+",
            r"[^\w\s]",  # any other symbol, one at a time: ! ? , .
        ]
    )
    + ")"
)


def tokenize(text: str) -> list[str]:
    """Split one document into lower-cased tokens.

    >>> tokenize("It's hokey. So enjoyable!")
    ["it's", 'hokey', '.', 'so', 'enjoyable', '!']
    """
    if "&" in text:
        text = html.unescape(text)
    return _TOKEN_RE.findall(text.lower().replace("’", "'"))


SEPARATOR = "\x00"  # the token between documents in a TokenBatch's flat list
_JOINED = f" {SEPARATOR} "  # blanks end every pattern before it, so it is a token of its own
_JOINED_MIN = 32  # fewer documents than this are tokenized one by one


class TokenBatch:
    """A batch's tokens. ``flat``, when there is one, is every document's tokens in order with
    :data:`SEPARATOR` between documents, as one pass of the expression over the joined texts gives
    them: a model that reads a batch as one array (the distilled student) maps it in one go;
    :attr:`lists` splits it per document for the others, once, on first use. ``empty``: whether each
    document has no tokens."""

    __slots__ = ("_lists", "empty", "flat")

    def __init__(self, flat: list | None, empty: list, lists: list | None = None):
        self.flat, self.empty, self._lists = flat, empty, lists

    @classmethod
    def of_lists(cls, lists: list) -> TokenBatch:
        """A batch of token lists already split (no flat list: a token may be the separator itself)."""
        return cls(None, [not tokens for tokens in lists], lists)

    def __len__(self) -> int:
        return len(self.empty)

    @property
    def lists(self) -> list[list[str]]:
        if self._lists is None:
            flat, out, start = self.flat or [], [], 0
            for _ in range(len(self) - 1):
                end = flat.index(SEPARATOR, start)  # a C-level scan: far cheaper than testing each token
                out.append(flat[start:end])
                start = end + 1
            self._lists = [*out, flat[start:]] if len(self) else []
        return self._lists


def has_no_tokens(text: str) -> bool:
    """Whether :func:`tokenize` finds nothing in ``text``: every character but a blank is part of some
    token, so only a text of blanks (once its entities are unescaped: ``&nbsp;``) has none."""
    return not text.strip() or ("&" in text and not html.unescape(text).strip())


def tokenize_batch(texts: Iterable[str]) -> TokenBatch:
    """Tokenize every document of an iterable: the same tokens as :func:`tokenize` on each, found by
    one pass of the expression over the documents joined by a separator token, which saves the
    per-call overhead that is about a third of tokenizing a short text (bench/README.md, "Distillation")."""
    texts = texts if isinstance(texts, list) else list(texts)
    if len(texts) < _JOINED_MIN or any(SEPARATOR in text for text in texts):
        return TokenBatch.of_lists([tokenize(text) for text in texts])
    joined = _JOINED.join(texts)
    entities = "&" in joined
    if entities:
        joined = html.unescape(joined)
    flat = _TOKEN_RE.findall(joined.lower().replace("’", "'"))
    empty = [not text.strip() for text in texts]
    if entities:  # one may unescape to a blank (&nbsp;)
        empty = [blank or has_no_tokens(text) for blank, text in zip(empty, texts)]
    return TokenBatch(flat, empty)


def tokenize_all(texts: Iterable[str]) -> list[list[str]]:
    """Each document's token list, as :func:`tokenize` gives it (through :func:`tokenize_batch`)."""
    return tokenize_batch(texts).lists


def normalize_entry(entry: str) -> str:
    """Put a lexicon entry in the form the tokenizer gives its tokens (lower case, straight apostrophe)."""
    return entry.lower().replace("’", "'")
