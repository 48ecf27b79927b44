from collections import Counter

import pytest

from sentclf.data.corpus import DEFAULT_CORPUS_NAME, clean_tweet, corpus_path, load_default_corpus


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"I don\xd5\xa2_\x8a\xce_\x86\xa2t know", "I don't know"),
        (b"\xe4\xf3\xec@bob: hi\xe4\xf3\x9d", '"@bob: hi"'),
        (b"read more https://t.co/x \xe4\xf3_", "read more https://t.co/x ..."),
        (b"tickets! _\xf4\xd6\x89_\xf4\xd6\x89 #fest", "tickets! #fest"),
        (b"fish &amp; chips", "fish & chips"),
        (b"@Rachel__Nichols ok", "@Rachel__Nichols ok"),
    ],
)
def test_corpus_clean_tweet_repairs_mojibake(raw, expected):
    assert clean_tweet(raw) == expected


def test_corpus_default_corpus_is_clean_and_three_class():
    dataset = load_default_corpus()
    assert dataset.source == DEFAULT_CORPUS_NAME and corpus_path().is_file()
    counts = Counter(dataset.labels)
    assert set(counts) == {"negative", "neutral", "positive"}
    assert len(dataset) > 35000 and min(counts.values()) > 5000
    assert all(text.isascii() and text.strip() == text and text for text in dataset.texts)
    assert len(set(dataset.texts)) == len(dataset.texts)
    assert "duplicate" in dataset.notes[0]
