"""Reading text for the language model: vocabulary, boundaries, windows, held-out split, errors."""

import numpy as np
import pytest

from sentclf.errors import ConfigError, DataError
from sentclf.lm import encoding as lmdata
from sentclf.lm.encoding import BOS_ID, EOS_ID, UNK_ID, Encoded


def encoded(texts, min_count=1, max_vocab=100):
    ids, lengths, words = lmdata.tokenize_documents(texts)
    vocab, mapping, counts = lmdata.build_vocabulary(ids, words, min_count, max_vocab)
    return vocab, Encoded(mapping[ids], lengths), counts


def test_vocabulary_is_by_frequency_then_first_appearance_with_specials_first():
    vocab, data, counts = encoded(["b a b", "c a b"])
    assert vocab == ["<unk>", "<s>", "</s>", "b", "a", "c"]
    assert data.ids.tolist() == [3, 4, 3, 5, 4, 3]
    assert data.lengths.tolist() == [3, 3]
    assert counts.tolist() == [0, 0, 0, 3, 2, 1]


def test_min_count_and_max_vocab_send_words_to_unk():
    vocab, data, counts = encoded(["b a b", "c a b"], min_count=2)
    assert vocab == ["<unk>", "<s>", "</s>", "b", "a"]
    assert data.ids.tolist() == [3, 4, 3, UNK_ID, 4, 3]
    assert counts[UNK_ID] == 1
    vocab, data, _ = encoded(["b a b", "c a b", "d"], max_vocab=5)
    assert vocab == ["<unk>", "<s>", "</s>", "b", "a"] and data.ids.tolist().count(UNK_ID) == 2


def test_empty_documents_are_skipped_and_text_is_tokenized_like_the_classifier():
    _ids, lengths, words = lmdata.tokenize_documents(["It's GREAT!", "", "   "])
    assert words == ["it's", "great", "!"] and lengths.tolist() == [3]


def test_padded_stream_puts_window_boundaries_before_and_one_end_after_each_document():
    data = Encoded(np.array([7, 8, 9, 5]), np.array([3, 1]))
    stream, positions = lmdata.padded_stream(data, window=2)
    assert stream.tolist() == [BOS_ID, BOS_ID, 7, 8, 9, EOS_ID, BOS_ID, BOS_ID, 5, EOS_ID]
    assert stream[positions].tolist() == [7, 8, 9, EOS_ID, 5, EOS_ID]
    contexts = lmdata.contexts_at(stream, positions, 2)
    assert contexts.tolist() == [[1, 1], [1, 7], [7, 8], [8, 9], [1, 1], [1, 5]]
    assert data.n_tokens == 6 == len(positions)


def test_held_out_split_is_seeded_by_document_and_leaves_training_text():
    lengths = np.ones(50, dtype=np.int32)
    mask = lmdata.split_documents(lengths, 0.1, seed=0)
    assert mask.sum() == 5 and (mask == lmdata.split_documents(lengths, 0.1, seed=0)).all()
    assert not (mask == lmdata.split_documents(lengths, 0.1, seed=1)).all()
    assert lmdata.split_documents(np.ones(1, dtype=np.int32), 0.5, 0).sum() == 0  # one document: all training
    assert lmdata.split_documents(np.ones(3, dtype=np.int32), 0.01, 0).sum() == 1  # at least one held out


def test_held_out_text_is_capped_in_words_keeping_the_first_drawn_documents():
    lengths = np.full(100, 10, dtype=np.int32)
    full, capped = lmdata.split_documents(lengths, 0.5, 0), lmdata.split_documents(lengths, 0.5, 0, max_tokens=95)
    assert full.sum() == 50 and capped.sum() == 9 and not (capped & ~full).any()
    assert lmdata.split_documents(lengths, 0.5, 0, max_tokens=3).sum() == 1  # at least one document


def test_encode_maps_new_text_onto_a_fixed_vocabulary():
    vocab, _, _ = encoded(["the cat gets fed"])
    data = lmdata.encode(["the dog gets fed", ""], vocab)
    assert [vocab[i] for i in data.ids] == ["the", "<unk>", "gets", "fed"]


@pytest.mark.parametrize(
    "texts, window, message",
    [
        ([""], 3, "empty"),
        (["a b"], 3, "fewer than the window"),
        (["a a a a"], 3, "vocabulary has 1 word"),
    ],
)
def test_text_too_short_or_too_poor_is_a_data_error(texts, window, message):
    vocab, data, _ = encoded(texts)
    with pytest.raises(DataError, match=message):
        lmdata.check_trainable(len(data.ids), vocab, window)


def test_window_below_two_is_a_config_error():
    vocab, data, _ = encoded(["a b c d"])
    with pytest.raises(ConfigError, match="at least 2"):
        lmdata.check_trainable(len(data.ids), vocab, 1)
