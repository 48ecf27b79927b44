"""The Kneser-Ney baseline: numpy's bucketed counts score exactly like stock nltk.lm."""

import numpy as np
import pytest
from nltk.lm import KneserNeyInterpolated, Vocabulary
from nltk.util import everygrams

from sentclf.errors import ConfigError
from sentclf.lm import encoding as lmdata
from sentclf.lm import ngram
from sentclf.lm import stream as streams
from sentclf.lm.encoding import BOS_ID, Encoded
from sentclf.lm.stream import from_encoded

TEXTS = [
    "the cat gets fed",
    "the dog gets walked",
    "a cat sat on the mat",
    "the dog sat on a cat",
    "we fed the dog",
    "the cat gets fed again and again",
]


def corpus():
    ids, lengths, words = lmdata.tokenize_documents(TEXTS)
    vocab, mapping, _ = lmdata.build_vocabulary(ids, words, 1, 100)
    return vocab, Encoded(mapping[ids], lengths)


def stock_model(train: Encoded, vocab_size: int, order: int, discount: float):
    """nltk.lm's own model, counting every 1..order-gram of each padded document except those ending
    in <s> (padding, never predicted)."""
    stock = KneserNeyInterpolated(order, discount=discount, vocabulary=Vocabulary(range(vocab_size), unk_cutoff=1))
    stream = from_encoded(train, order - 1).tokens.tolist()
    start, documents = 0, []
    for length in train.lengths.tolist():
        span = order + length
        padded = stream[start : start + span]
        documents.append([g for g in everygrams(padded, max_len=order) if g[-1] != BOS_ID])
        start += span
    stock.counts.update(documents)
    return stock


@pytest.mark.parametrize("order", [2, 3, 4])
@pytest.mark.parametrize("bucket_tokens", [1 << 21, 7])  # one bucket; several, frequent words' split in parts
def test_scores_equal_stock_nltk_kneser_ney(order, bucket_tokens, monkeypatch):
    monkeypatch.setattr(ngram, "BUCKET_TOKENS", bucket_tokens)
    monkeypatch.setattr(ngram, "MERGE_KEYS", 2)  # counts merged block by block
    monkeypatch.setattr(streams, "CHUNK", 5)
    vocab, train = corpus()
    ours = ngram.KneserNey(from_encoded(train, order - 1), len(vocab), order, discount=0.1)
    assert (ours.buckets > 1) == (bucket_tokens == 7)
    assert (ours.parts.max() > 1) == (bucket_tokens == 7 and order > 2)
    stock = stock_model(train, len(vocab), order, 0.1)
    test = lmdata.encode(["the dog gets fed", "a mat sat on the dog", "zebra"], vocab)
    data = from_encoded(test, order)  # padded more than the order needs: the same scores
    positions = data.positions(0, len(data.tokens))
    expected = [
        stock.unmasked_score(int(data.tokens[p]), tuple(int(t) for t in data.tokens[p - order + 1 : p]))
        for p in positions
    ]
    assert np.exp(ours.log_probs(data)) == pytest.approx(expected, rel=1e-12)
    history = tuple(int(t) for t in data.tokens[positions[3] - order + 1 : positions[3]])
    assert ours.probabilities(history) == pytest.approx(
        [stock.unmasked_score(w, history) for w in range(len(vocab))], rel=1e-12
    )


@pytest.mark.parametrize("bucket_tokens", [1 << 21, 5])
def test_probabilities_sum_to_one_over_the_vocabulary(bucket_tokens, monkeypatch):
    monkeypatch.setattr(ngram, "BUCKET_TOKENS", bucket_tokens)
    vocab, train = corpus()
    model = ngram.KneserNey(from_encoded(train, 2), len(vocab), 3)
    the, cat = vocab.index("the"), vocab.index("cat")
    for history in [(1, 1), (1, the), (the, cat), (0, 0), (cat, the)]:
        p = model.probabilities(history)
        assert p.sum() == pytest.approx(1.0)
        assert p[BOS_ID] == 0  # <s> is never predicted


def test_log_probs_cover_every_word_and_end_of_document():
    vocab, train = corpus()
    data = from_encoded(train, 2)
    logp = ngram.KneserNey(data, len(vocab), 3).log_probs(data)
    assert len(logp) == train.n_tokens and np.all(logp < 0)


def test_discount_is_estimated_from_counts_of_counts():
    vocab, train = corpus()
    stock = stock_model(train, len(vocab), 3, 0.1)
    values = [c for f in stock.counts[3].values() for c in f.values()]
    n1, n2 = values.count(1), values.count(2)
    assert ngram.KneserNey(from_encoded(train, 2), len(vocab), 3).discount == pytest.approx(n1 / (n1 + 2 * n2))


def test_an_order_whose_keys_overflow_is_a_config_error():
    _, train = corpus()
    with pytest.raises(ConfigError, match="lower --ngram-order or --max-vocab"):
        ngram.KneserNey(from_encoded(train, 6), 20_000, 5)
