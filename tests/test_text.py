import pytest
from nltk.tokenize import TweetTokenizer

from sentclf.classify.models.pipeline import Tokenizer
from sentclf.text import SEPARATOR, normalize_entry, tokenize, tokenize_all, tokenize_batch
from tests.conftest import TEXTBOOK_REVIEW


def test_text_textbook_review_has_66_tokens():
    tokens = tokenize(TEXTBOOK_REVIEW)
    assert len(tokens) == 66
    assert tokens[:3] == ["it's", "hokey", "."]
    assert "second-rate" in tokens and "it'll" in tokens


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wow!!!", ["wow", "!", "!", "!"]),
        ("so good :) bad :-( ;) <3", ["so", "good", ":)", "bad", ":-(", ";)", "<3"]),
        ("@Bob_1 loves #NLP", ["@bob_1", "loves", "#nlp"]),
        ("see https://example.org/a?b=1. now", ["see", "https://example.org/a?b=1", ".", "now"]),
        ("a second-rate, well-made film", ["a", "second-rate", ",", "well-made", "film"]),
        ("I'm sure it’s fine", ["i'm", "sure", "it's", "fine"]),
        ("costs $5.99 ... really?!", ["costs", "$", "5.99", "...", "really", "?", "!"]),
        ("fish &amp; chips", ["fish", "&", "chips"]),
        ("note:done :D", ["note", ":", "done", ":d"]),
    ],
)
def test_text_keeps_special_tokens_whole(text, expected):
    assert tokenize(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_text_blank_document_has_no_tokens(text):
    assert tokenize(text) == []


@pytest.mark.parametrize(
    "text",
    [
        TEXTBOOK_REVIEW,
        "@united my flight is delayed again!! :( #fail http://t.co/abc123",
        "Loved it :) you'll love it too, no doubt.",
        "What a well-made, heart-warming story; I cried.",
    ],
)
def test_text_agrees_with_nltk_tweet_tokenizer(text):
    reference = TweetTokenizer(preserve_case=False, match_phone_numbers=False).tokenize(text)
    assert tokenize(text) == [t.lower() for t in reference]


def test_text_tokenizer_step_passes_token_lists_through():
    step = Tokenizer().fit(["x"])
    assert step.transform(["Hi there!", ["already", "split"]]) == [["hi", "there", "!"], ["already", "split"]]
    assert tokenize_all(["a b", ""]) == [["a", "b"], []]


def test_text_normalize_entry_matches_token_form():
    assert normalize_entry("Great") == "great"
    assert normalize_entry("Don’t") == "don't"
    assert tokenize(":D") == [normalize_entry(":D")]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = st.sampled_from(
    [
        "good",
        "Bad",
        " ",
        "\n",
        "!",
        ":)",
        "&amp;",
        "&",
        ";",
        "http://x.co/a.",
        "...",
        ". .",
        "ΑΣ",
        "é",
        "’",
        "\t",
        "#tag",
        "@me",
        "1,000",
        "-",
        ":",
        "(",
        "&nbsp;",
        "\xa0",
        "\u2028",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=12).map("".join), min_size=40, max_size=80))
def test_tokenize_all_is_tokenize_on_each_document(texts):
    # at 32 documents or more they are tokenized joined by a separator: the lists must not differ
    assert tokenize_all(texts) == [tokenize(text) for text in texts]


def test_tokenize_all_with_a_nul_in_a_document_takes_the_plain_path():
    texts = ["a\x00b"] + ["fine film"] * 40
    assert tokenize_all(texts) == [tokenize(text) for text in texts] and tokenize_all(iter(texts[:3]))[0] == [
        "a",
        "\x00",
        "b",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=6).map("".join), min_size=1, max_size=80))
def test_a_token_batch_holds_each_documents_tokens_and_whether_it_has_none(texts):
    batch = tokenize_batch(texts)
    want = [tokenize(text) for text in texts]
    assert batch.lists == want and batch.empty == [not tokens for tokens in want] and len(batch) == len(texts)
    if batch.flat is not None:  # the joined path: the documents' tokens with a separator between them
        joined = [token for tokens in want for token in [*tokens, SEPARATOR]][:-1]
        assert batch.flat == joined


def test_a_text_of_blanks_and_blank_entities_has_no_tokens():
    texts = ["", " \t", "&nbsp;", "&#32;&nbsp;", "&amp;", "x"] * 10
    assert tokenize_batch(texts).empty == [True, True, True, True, False, False] * 10
