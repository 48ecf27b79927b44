"""The unlabeled texts a teacher labels for its student: read a document at a time from text files
or tables (:class:`~sentclf.data.inputs.Inputs`), tokenized as they come, and deduplicated against
each other and against the labelled texts by an 8-byte digest of their tokens, so that memory holds
one digest per text seen plus the token lists kept (at most ``limit``), never the files."""

from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass, field

from sentclf.text import tokenize

log = logging.getLogger("sentclf")


def digest(tokens: list) -> bytes:
    """8 bytes that stand for a tokenized text (a collision between two texts is a 1 in 2⁶⁴ event)."""
    return hashlib.blake2b("\x1f".join(tokens).encode("utf-8", "surrogatepass"), digest_size=8).digest()


@dataclass
class UnlabeledTexts:
    """The texts kept, and what the model file says of them: how many were read, dropped as
    duplicates or empty, and the sha256 of the kept texts' digests in order."""

    tokens: list = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    empty: int = 0
    truncated: bool = False
    sha256: str = ""

    def summary(self) -> dict:
        return {
            "documents": len(self.tokens),
            "read": self.read,
            "duplicates": self.duplicates,
            "empty": self.empty,
            "truncated": self.truncated,
            "sha256": self.sha256,
        }


def read_unlabeled(inputs, seen: set, limit: int) -> UnlabeledTexts:
    """Every new, non-empty document of ``inputs`` (None: none), up to ``limit``; ``seen`` holds the
    digests of the labelled texts and gains those of the texts kept."""
    result = UnlabeledTexts()
    whole = hashlib.sha256()
    if inputs is not None:
        for document in inputs.documents():
            result.read += 1
            # interned: 200,000 texts repeat a few tens of thousands of words, so one string per word
            # rather than one per occurrence (a third of the memory the kept token lists take)
            tokens = list(map(sys.intern, tokenize(document.text)))
            if not tokens:
                result.empty += 1
                continue
            key = digest(tokens)
            if key in seen:
                result.duplicates += 1
                continue
            if len(result.tokens) >= limit:
                result.truncated = True
                break
            seen.add(key)
            whole.update(key)
            result.tokens.append(tokens)
    if result.truncated:
        log.warning("kept the first %d unlabeled texts (--max-unlabeled); the rest were not read", limit)
    result.sha256 = whole.hexdigest()
    return result
