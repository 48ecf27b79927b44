"""The Kneser-Ney baseline: the tabled continuation counts score exactly like stock nltk.lm."""

import numpy as np
import pytest
from nltk.lm import KneserNeyInterpolated, Vocabulary

from sentclf.lm import encoding as lmdata
from sentclf.lm import ngram
from sentclf.lm.encoding import Encoded

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


@pytest.mark.parametrize("order", [2, 3])
def test_scores_equal_stock_nltk_kneser_ney(order):
    vocab, train = corpus()
    ours = ngram.kneser_ney(train, len(vocab), order, discount=0.1)
    stock = KneserNeyInterpolated(order, discount=0.1, vocabulary=Vocabulary(range(len(vocab)), unk_cutoff=1))
    stock.counts.update(ngram._ngrams(train, order))
    test = lmdata.encode(["the dog gets fed", "a mat sat on the dog"], vocab)
    stream, positions = lmdata.padded_stream(test, order - 1)
    for p in positions:
        word, context = int(stream[p]), tuple(int(t) for t in stream[p - order + 1 : p])
        assert ours.unmasked_score(word, context) == pytest.approx(stock.unmasked_score(word, context), rel=1e-12)


def test_probabilities_sum_to_one_over_the_vocabulary():
    vocab, train = corpus()
    model = ngram.kneser_ney(train, len(vocab), 3)
    for context in [(), (1,), (1, 1), (1, vocab.index("the")), (vocab.index("the"), vocab.index("cat")), (0, 0)]:
        total = sum(model.unmasked_score(w, context) for w in range(len(vocab)))
        assert total == pytest.approx(1.0)
        assert model.unmasked_score(1, context) == 0  # <s> is never predicted


def test_log_probs_cover_every_word_and_end_of_document():
    vocab, train = corpus()
    model = ngram.kneser_ney(train, len(vocab), 3)
    logp = ngram.log_probs(model, train)
    assert len(logp) == train.n_tokens and np.all(logp < 0)


def test_discount_is_estimated_from_counts_of_counts():
    vocab, train = corpus()
    model = ngram.kneser_ney(train, len(vocab), 3)
    values = [c for f in model.counts[3].values() for c in f.values()]
    n1, n2 = values.count(1), values.count(2)
    assert model.estimator.discount == pytest.approx(n1 / (n1 + 2 * n2))
