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


_SEPARATOR = " \x00 "  # a token of its own between documents: blanks end every pattern before it
_JOINED_MIN = 32  # fewer documents than this are tokenized one by one


def tokenize_all(texts: Iterable[str]) -> list[list[str]]:
    """Tokenize every document of an iterable: the same lists as :func:`tokenize` on each, found by one
    pass of the expression over the documents joined by a separator token, which saves the
    per-call overhead that is about a third of tokenizing a short text (bench/README.md, "Distillation")."""
    texts = texts if isinstance(texts, list) else list(texts)
    if len(texts) < _JOINED_MIN or any("\x00" in text for text in texts):
        return [tokenize(text) for text in texts]
    joined = _SEPARATOR.join(texts)
    if "&" in joined:
        joined = html.unescape(joined)
    tokens = _TOKEN_RE.findall(joined.lower().replace("’", "'"))
    out, start = [], 0
    for end in [i for i, token in enumerate(tokens) if token == "\x00"]:
        out.append(tokens[start:end])
        start = end + 1
    out.append(tokens[start:])
    return out


def normalize_entry(entry: str) -> str:
    """Put a lexicon entry in the form the tokenizer gives its tokens (lower case, straight apostrophe)."""
    return entry.lower().replace("’", "'")
