"""The AHP math of `planner.drivers`: weights, consistency, the worst judgment, the group.

The worked examples are Saaty's own, entered as a person's judgments (every entry of
their matrices is k or 1/k), and compared with the figures Saaty published.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.drivers import (
    CR_LIMIT,
    INTENSITIES,
    RANDOM_INDEX,
    Driver,
    Judgment,
    contributions,
    geometric_mean,
    group_weights,
    matrix_weights,
    pairs,
    parse_ratio,
    person_weights,
    strategic_score,
)


def judgments_of(by: str, keys: list[str], rows: list[str]) -> list[Judgment]:
    """The upper triangle of a matrix written row by row ("1 5 3 1/4") as judgments."""
    out = []
    for i, row in enumerate(rows):
        cells = row.split()
        assert len(cells) == len(keys)
        for j in range(i + 1, len(keys)):
            out.append(Judgment(by=by, a=keys[i], b=keys[j], ratio=Fraction(cells[j])))
    return out


def drivers_of(keys: list[str]) -> list[Driver]:
    return [Driver(key=k, name=k.replace("_", " ")) for k in keys]


# Saaty, "How to make a decision: The Analytic Hierarchy Process", European Journal of
# Operational Research 48 (1990) 9-26, section 3 (the same example as in Saaty, The
# Analytic Hierarchy Process, McGraw-Hill 1980, ch. 2): a family weighs eight criteria
# for buying a house. Published: priorities 0.173, 0.054, 0.188, 0.018, 0.031, 0.036,
# 0.167, 0.333; λmax = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE = [
    "size",
    "transport",
    "neighborhood",
    "age",
    "yard",
    "modern",
    "condition",
    "financing",
]
HOUSE_MATRIX = [
    "1   5   3   7   6   6   1/3 1/4",
    "1/5 1   1/3 5   3   3   1/5 1/7",
    "1/3 3   1   6   3   4   6   1/5",
    "1/7 1/5 1/6 1   1/3 1/4 1/7 1/8",
    "1/6 1/3 1/3 3   1   1/2 1/5 1/6",
    "1/6 1/3 1/4 4   2   1   1/5 1/6",
    "3   5   1/6 7   5   5   1   1/2",
    "4   7   5   8   6   6   2   1",
]
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Saaty, "Decision making with the analytic hierarchy process", International Journal
# of Services Sciences 1 (2008) 83-98, Table 2: relative consumption of drinks in the
# US. Published: derived priorities 0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327
# (against actual consumption 0.180, 0.010, 0.040, 0.120, 0.180, 0.140, 0.330).
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
DRINKS_MATRIX = [
    "1   9 5   2   1   1   1/2",
    "1/9 1 1/3 1/9 1/9 1/9 1/9",
    "1/5 3 1   1/3 1/4 1/3 1/9",
    "1/2 9 3   1   1/2 1   1/3",
    "1   9 4   2   1   2   1/2",
    "1   9 3   1   1/2 1   1/3",
    "2   9 9   3   2   3   1",
]
DRINKS_WEIGHTS = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]


def test_saatys_house_example_weights_and_consistency_ratio():
    person = person_weights(drivers_of(HOUSE), judgments_of("U1", HOUSE, HOUSE_MATRIX))
    assert person.complete and person.answered == person.needed == 28
    assert [round(person.weights[k], 3) for k in HOUSE] == HOUSE_WEIGHTS
    # C.R. = C.I. / RI(8) with C.I. = (λmax − 8) / 7; published C.I. 0.238, C.R. 0.169.
    assert person.cr is not None
    assert round(person.cr * RANDOM_INDEX[7], 3) == 0.238
    assert round(person.cr, 3) == 0.169
    assert not person.consistent


def test_saatys_house_example_names_the_judgment_that_disagrees_most():
    person = person_weights(drivers_of(HOUSE), judgments_of("U1", HOUSE, HOUSE_MATRIX))
    worst = person.worst
    assert worst is not None
    # neighborhood is 6 times as important as general condition, say the judgments; the
    # weights (0.188 vs 0.167) make them almost equal: log 6 − log 1.13 is the largest
    # distance of the 28 pairs (checked against every other pair below).
    assert (worst.a, worst.b, worst.given) == ("neighborhood", "condition", Fraction(6))
    assert worst.implied == pytest.approx(0.188 / 0.167, abs=0.01)
    w = person.weights
    off = {
        (a, b): abs(np.log(float(r)) - np.log(w[a] / w[b]))
        for (a, b), r in (((j.a, j.b), j.ratio) for j in judgments_of("U1", HOUSE, HOUSE_MATRIX))
    }
    assert max(off, key=off.__getitem__) == ("neighborhood", "condition")


def test_saatys_drinks_example_weights_and_consistency_ratio():
    person = person_weights(drivers_of(DRINKS), judgments_of("U1", DRINKS, DRINKS_MATRIX))
    assert [round(person.weights[k], 3) for k in DRINKS] == DRINKS_WEIGHTS
    # λmax 7.177 (recomputed by power iteration, independently of numpy's eig): CR 0.022.
    assert person.cr is not None and round(person.cr, 3) == 0.022
    assert person.consistent and person.worst is None


def test_random_indices_are_saatys():
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
    assert CR_LIMIT == 0.10
    assert INTENSITIES[1] == "equally" and INTENSITIES[9] == "extremely" and len(INTENSITIES) == 9


@st.composite
def weight_vectors(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=2, max_value=10))
    raw = draw(st.lists(st.floats(min_value=0.05, max_value=20.0), min_size=n, max_size=n))
    w = np.array(raw)
    return w / w.sum()


@settings(max_examples=200, deadline=None)
@given(weight_vectors())
def test_a_consistent_matrix_gives_back_its_weights_and_cr_zero(w):
    matrix = np.outer(w, 1 / w)  # a_ij = w_i / w_j
    weights, cr = matrix_weights(matrix)
    assert np.allclose(weights, w, rtol=1e-9, atol=1e-12)
    assert cr == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(INTENSITIES)), min_size=3, max_size=3), st.booleans())
def test_three_saaty_answers_are_consistent_exactly_when_they_multiply_through(ks, flip):
    a, b, c = (Fraction(k) if not flip else Fraction(1, k) for k in ks)
    judged = [
        Judgment("U", "x", "y", a),
        Judgment("U", "y", "z", b),
        Judgment("U", "x", "z", c),
    ]
    person = person_weights(drivers_of(["x", "y", "z"]), judged)
    assert person.cr is not None and person.cr >= 0
    if a * b == c:
        assert person.cr == pytest.approx(0.0, abs=1e-9)
    else:
        assert person.cr > 1e-6


def test_matrix_weights_refuses_what_is_not_a_reciprocal_matrix():
    with pytest.raises(ValueError, match="reciprocal"):
        matrix_weights([[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="positive"):
        matrix_weights([[1, -2], [-0.5, 1]])
    with pytest.raises(ValueError, match="square"):
        matrix_weights([[1, 2, 3]])


def test_two_drivers_are_always_consistent_and_one_weighs_everything():
    person = person_weights(drivers_of(["a", "b"]), [Judgment("U", "a", "b", Fraction(3))])
    assert person.weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert person.cr == 0.0 and person.consistent
    alone = group_weights(drivers_of(["a"]), [])
    assert alone.weights == {"a": 1.0} and alone.source == "equal"


def test_reversed_pairs_later_answers_and_retired_drivers():
    keys = ["a", "b", "c"]
    judged = [
        Judgment("U", "b", "a", Fraction(1, 2)),  # (b, a) = 1/2 counts as (a, b) = 2
        Judgment("U", "a", "c", Fraction(9)),  # revised below
        Judgment("U", "b", "c", Fraction(2)),
        Judgment("U", "a", "gone", Fraction(5)),  # a retired driver: ignored
        Judgment("U", "c", "a", Fraction(1, 4)),  # the later answer wins: (a, c) = 4
    ]
    person = person_weights(drivers_of(keys), judged)
    assert person.complete and person.answered == 3
    assert person.cr == pytest.approx(0.0, abs=1e-9)  # 2 × 2 = 4: consistent
    assert person.weights == pytest.approx({"a": 4 / 7, "b": 2 / 7, "c": 1 / 7})


def test_an_incomplete_person_has_no_weights_and_stays_out_of_the_group():
    keys = ["a", "b", "c"]
    cio = judgments_of("U0CIO", keys, ["1 3 5", "1/3 1 2", "1/5 1/2 1"])
    cmo = judgments_of("U0CMO", keys, ["1 1/3 1/2", "3 1 2", "2 1/2 1"])
    half = [Judgment("U0CFO", "a", "b", Fraction(1, 9))]  # 1 of 3 pairs
    group = group_weights(drivers_of(keys), [*cio, *half, *cmo])
    fo = group.people["U0CFO"]
    assert (fo.complete, fo.answered, fo.needed, fo.weights, fo.cr) == (False, 1, 3, {}, None)
    assert list(group.people) == ["U0CFO", "U0CIO", "U0CMO"]
    assert group.complete_people == ("U0CIO", "U0CMO")
    # the group is the geometric mean of the two complete matrices, U0CFO left out
    both = group_weights(drivers_of(keys), [*cio, *cmo])
    assert group.weights == pytest.approx(both.weights) and group.cr == pytest.approx(both.cr)
    m_cio = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    m_cmo = np.array([[1, 1 / 3, 1 / 2], [3, 1, 2], [2, 1 / 2, 1]])
    mean = np.sqrt(m_cio * m_cmo)
    assert np.allclose(geometric_mean([m_cio, m_cmo]), mean)
    expected, cr = matrix_weights(mean)
    assert [group.weights[k] for k in keys] == pytest.approx(list(expected))
    assert group.cr == pytest.approx(cr) and group.source == "judgments"
    # not the mean of the two people's weights: aggregation of judgments, not priorities
    averaged = [
        (group.people["U0CIO"].weights[k] + group.people["U0CMO"].weights[k]) / 2 for k in keys
    ]
    assert [group.weights[k] for k in keys] != pytest.approx(averaged, abs=1e-4)


def test_nobody_complete_means_equal_weights():
    keys = ["a", "b", "c", "d"]
    group = group_weights(drivers_of(keys), [Judgment("U", "a", "b", Fraction(3))])
    assert group.weights == pytest.approx(dict.fromkeys(keys, 0.25))
    assert group.source == "equal" and group.cr is None
    assert group_weights([], []).weights == {}


def test_person_weights_refuses_someone_elses_judgments():
    with pytest.raises(ValueError, match="mixed"):
        person_weights(
            drivers_of(["a", "b"]),
            [Judgment("U1", "a", "b", Fraction(2)), Judgment("U2", "a", "b", Fraction(3))],
        )
    assert person_weights(drivers_of(["a", "b"]), [], by="U9").by == "U9"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, Fraction(3)),
        ("3", Fraction(3)),
        ("1/3", Fraction(1, 3)),
        (" 1 / 9 ", Fraction(1, 9)),
        (Fraction(1, 2), Fraction(1, 2)),
        (1, Fraction(1)),
        (9.0, Fraction(9)),
    ],
)
def test_parse_ratio_accepts_saaty_ratios(value, expected):
    assert parse_ratio(value) == expected


@pytest.mark.parametrize(
    "value", [0, 10, "10", "2/3", "1/10", Fraction(2, 3), True, 2.5, "x", None]
)
def test_parse_ratio_says_what_is_allowed(value):
    with pytest.raises(ValueError, match=r"a whole number 1 to 9, or 1/2 … 1/9"):
        parse_ratio(value)


def test_pairs_and_strategic_score():
    assert pairs(["a", "b", "c"]) == (("a", "b"), ("a", "c"), ("b", "c"))
    assert len(pairs([str(i) for i in range(10)])) == 45
    weights = {"engage": 0.5, "secure": 0.3, "cost": 0.2}
    assert strategic_score({"engage": 4, "cost": 5}, weights) == pytest.approx(3.0)
    assert strategic_score({}, weights) == 0.0
    assert contributions({"engage": 4}, weights) == pytest.approx(
        {"engage": 2.0, "secure": 0.0, "cost": 0.0}
    )
