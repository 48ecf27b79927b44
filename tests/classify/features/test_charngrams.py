"""CharNgramCounts: character n-grams counted once per distinct word give exactly the matrix of
scikit-learn's char_wb CountVectorizer on the tokens joined by spaces."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from sentclf.classify.features.charngrams import CharNgramCounts

DOCS = [["so", "bored", "!"], ["not", "bored", "at", "all"], ["a", "lovely", "lovely", "day"], []]


def reference(ngram_range, min_df):
    return CountVectorizer(
        analyzer="char_wb",
        preprocessor=" ".join,
        ngram_range=ngram_range,
        lowercase=False,
        binary=True,
        min_df=min_df,
        dtype=np.float32,
    )


def assert_same(train, test, ngram_range=(2, 5), min_df=1):
    ours, theirs = CharNgramCounts(ngram_range=ngram_range, min_df=min_df), reference(ngram_range, min_df)
    fitted = ours.fit_transform(train)
    assert list(ours.get_feature_names_out()) == list(theirs.fit(train).get_feature_names_out())
    assert (fitted != theirs.transform(train)).nnz == 0
    assert (ours.transform(test) != theirs.transform(test)).nnz == 0
    assert fitted.dtype == np.float32 and set(fitted.data.tolist()) <= {1.0}


def test_matches_char_wb_count_vectorizer_on_fixture_documents():
    assert_same(DOCS, [["lovely", "boredom"], ["unseen"], []])
    assert_same(DOCS, DOCS, ngram_range=(1, 3), min_df=2)


def test_min_df_counts_documents_not_words():
    # "lovely" twice in one document is one document: its n-grams have document frequency 1
    counts = CharNgramCounts(ngram_range=(3, 3), min_df=2).fit(DOCS)
    names = set(counts.get_feature_names_out())
    assert "bor" in names and "lov" not in names


words = st.text(alphabet="abé!", min_size=1, max_size=7)  # tokens: never blank, never with a space


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(words, max_size=6), min_size=1, max_size=8).filter(lambda docs: any(docs)),
    st.lists(st.lists(words, max_size=6), max_size=4),
    st.integers(1, 2),
)
def test_matches_char_wb_on_any_tokens(train, test, min_df):
    try:
        reference((1, 4), min_df).fit(train)
    except ValueError:  # no n-gram reaches min_df: both refuse
        with pytest.raises(ValueError):
            CharNgramCounts(ngram_range=(1, 4), min_df=min_df).fit(train)
        return
    assert_same(train, test, ngram_range=(1, 4), min_df=min_df)
