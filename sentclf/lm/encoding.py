"""Text for the language model: reading it, the vocabulary, and the sliding windows.

Documents are tokenized with the classifier's own tokenizer (so the exported vectors match the tokens
``--embeddings`` looks up). Each document becomes ``<s> … <s> w1 … wn </s>``: ``window`` boundary tokens
in front, so the first word is predicted from boundaries alone, and ``</s>`` predicted last. Words
below ``min_count`` (or beyond ``max_vocab``) become ``<unk>``.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from sentclf.errors import ConfigError, DataError
from sentclf.text import tokenize

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
SPECIALS = (UNK, BOS, EOS)  # ids 0, 1, 2
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2
HOLDOUT_MAX_TOKENS = 1_000_000  # more held-out words measure perplexity no better, and cost time and memory


@dataclass
class Encoded:
    """Documents as one array of word ids plus each document's length (in words, without boundaries)."""

    ids: np.ndarray
    lengths: np.ndarray

    @property
    def n_tokens(self) -> int:
        """Predicted tokens: every word and each document's ``</s>``."""
        return int(self.lengths.sum() + len(self.lengths))


def tokenize_documents(texts) -> tuple:
    """One pass over the documents: (provisional ids, lengths, words in order of first appearance)."""
    index: dict = {}
    ids, lengths = array("i"), array("i")
    for text in texts:
        tokens = tokenize(text)
        if not tokens:
            continue
        ids.extend([index.setdefault(token, len(index)) for token in tokens])
        lengths.append(len(tokens))
    return np.frombuffer(ids, dtype=np.int32), np.frombuffer(lengths, dtype=np.int32), list(index)


def split_documents(lengths: np.ndarray, holdout: float, seed: int, max_tokens: int | None = None) -> np.ndarray:
    """A boolean mask over documents: True for the held-out ones (a seeded random ``holdout`` share,
    cut to the first drawn documents within ``max_tokens`` words, default :data:`HOLDOUT_MAX_TOKENS`)."""
    mask = np.zeros(len(lengths), dtype=bool)
    n_held = round(holdout * len(lengths))
    if holdout > 0 and len(lengths) >= 2:
        n_held = min(max(n_held, 1), len(lengths) - 1)
        held = np.random.default_rng(seed).permutation(len(lengths))[:n_held]
        within = np.cumsum(lengths[held], dtype=np.int64) <= (max_tokens or HOLDOUT_MAX_TOKENS)
        mask[held[: max(int(within.sum()), 1)]] = True
    return mask


def select(ids: np.ndarray, lengths: np.ndarray, mask: np.ndarray) -> tuple:
    """The tokens and lengths of the documents where ``mask`` is True."""
    return ids[np.repeat(mask, lengths)], lengths[mask]


def build_vocabulary(ids: np.ndarray, words: list, min_count: int, max_vocab: int) -> tuple:
    """(vocabulary words, provisional id → vocabulary id map, counts of the kept words), from the
    provisional ids of the training text."""
    return vocabulary_from_counts(np.bincount(ids, minlength=len(words)), words, min_count, max_vocab)


def vocabulary_from_counts(counts: np.ndarray, words: list, min_count: int, max_vocab: int) -> tuple:
    """:func:`build_vocabulary` from each provisional word's count: most frequent first; ties keep the
    order of first appearance, so the result is deterministic."""
    if min_count < 1:
        raise ConfigError(f"--min-count must be at least 1, not {min_count}")
    if max_vocab < len(SPECIALS) + 2:
        raise ConfigError(f"--max-vocab must be at least {len(SPECIALS) + 2} (it counts {', '.join(SPECIALS)})")
    order = np.argsort(-counts, kind="stable")
    keep = order[counts[order] >= min_count][: max_vocab - len(SPECIALS)]
    mapping = np.full(len(words), UNK_ID, dtype=np.int32)
    mapping[keep] = np.arange(len(SPECIALS), len(SPECIALS) + len(keep), dtype=np.int32)
    vocab = list(SPECIALS) + [words[i] for i in keep]
    kept_counts = np.concatenate([[int(np.sum(counts) - counts[keep].sum()), 0, 0], counts[keep]])
    return vocab, mapping, kept_counts


def encode(texts, vocab: list) -> Encoded:
    """Token ids of new text under a fixed vocabulary (unknown words → ``<unk>``)."""
    index = {word: i for i, word in enumerate(vocab)}
    ids, lengths = array("i"), array("i")
    for text in texts:
        tokens = tokenize(text)
        if tokens:
            ids.extend([index.get(token, UNK_ID) for token in tokens])
            lengths.append(len(tokens))
    return Encoded(np.frombuffer(ids, dtype=np.int32).copy(), np.frombuffer(lengths, dtype=np.int32).copy())


def pad_documents(ids: np.ndarray, lengths: np.ndarray, window: int) -> np.ndarray:
    """Every document as ``<s>``×window + words + ``</s>``, concatenated (int32)."""
    if not len(lengths):
        return np.empty(0, dtype=np.int32)
    lengths = lengths.astype(np.int64)
    spans = lengths + window + 1
    starts = np.concatenate([[0], np.cumsum(spans)[:-1]]).astype(np.int64)
    stream = np.full(int(spans.sum()), BOS_ID, dtype=np.int32)
    word_starts = np.repeat(starts + window - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    stream[word_starts + np.arange(len(ids))] = ids
    stream[starts + window + lengths] = EOS_ID
    return stream


def padded_stream(data: Encoded, window: int) -> tuple:
    """(stream, positions): :func:`pad_documents`, and the index in ``stream`` of every token to
    predict. The context of position p is stream[p-window:p]."""
    stream = pad_documents(data.ids, data.lengths, window)
    return stream, np.flatnonzero(stream != BOS_ID)


def contexts_at(stream: np.ndarray, positions: np.ndarray, window: int) -> np.ndarray:
    """The (len(positions), window) matrix of the words before each position."""
    return stream[positions[:, None] + np.arange(-window, 0)]


def check_trainable(words: int, vocab: list, window: int) -> None:
    """The errors the issue names: too little text for the window, or too small a vocabulary."""
    if window < 2:
        raise ConfigError(f"--window must be at least 2 (the previous words the model sees), not {window}")
    if words == 0:
        raise DataError("the training text is empty: it holds no words (give text files, one document per line)")
    if words < window:
        raise DataError(
            f"the training text has {words} words, fewer than the window ({window}): "
            "give more text, or a smaller --window"
        )
    if len(vocab) - len(SPECIALS) < 2:
        raise DataError(
            f"the vocabulary has {len(vocab) - len(SPECIALS)} word(s) (at --min-count): a language "
            "model needs at least 2: give more text, or lower --min-count"
        )
