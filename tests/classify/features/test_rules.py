"""The rules block: VADER's heuristics on the lecture's lexicon, checked on sentences we can score by hand."""

import math

import pytest

from sentclf.classify.features.rules import NAMES, RuleFeatures, rule_values
from sentclf.text import tokenize


@pytest.fixture
def lexicon(lecture_lexicon):
    return lecture_lexicon  # {great, nice, enjoyable} / {hokey, second-rate}


def compound(text, lexicon):
    return rule_values(tokenize(text), lexicon)[0]


def test_rules_compound_is_vaders_normalization(lexicon):
    assert compound("a great film", lexicon) == pytest.approx(1 / math.sqrt(1 + 15))
    assert compound("a film", lexicon) == 0.0


def test_rules_negation_flips_and_damps(lexicon):
    assert compound("it was not great", lexicon) == pytest.approx(-0.74 / math.sqrt(0.74**2 + 15))
    values = rule_values(tokenize("it wasn't great"), lexicon)
    assert values[0] < 0 and values[3] == 1  # one negated word


def test_rules_intensifiers_dampeners_and_exclamations(lexicon):
    plain, very, barely = (compound(t, lexicon) for t in ("great", "very great", "barely great"))
    assert barely < plain < very
    assert compound("great!!", lexicon) > plain and compound("hokey!!", lexicon) < compound("hokey", lexicon)


def test_rules_but_shifts_the_weight_to_the_second_clause(lexicon):
    values = rule_values(tokenize("it is hokey but great"), lexicon)
    assert values[0] > 0 and values[4] == 1  # -0.5 + 1.5
    assert rule_values(tokenize("great but hokey"), lexicon)[0] < 0


def test_rules_emoticons_count(lexicon):
    assert compound("the flight :)", lexicon) > 0 > compound("the flight :(", lexicon)


def test_rules_transformer(lexicon):
    block = RuleFeatures(lexicon=lexicon).fit([])
    matrix = block.transform(["great :)", ["hokey"]])
    assert matrix.shape == (2, 5) and list(block.get_feature_names_out()) == list(NAMES)
    assert matrix[0, 1] == 2 and matrix[1, 2] == 1  # positive mass, negative mass
