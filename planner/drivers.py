"""Business drivers and their weights: the Analytic Hierarchy Process (AHP).

Leaders compare the drivers two at a time on Saaty's 1–9 scale ("a is 3 times as
important as b"). One person's answers fill a reciprocal judgment matrix A (a_ii = 1,
a_ji = 1 / a_ij); their weights are its normalized principal eigenvector and their
consistency ratio is

    CR = CI / RI,   CI = (λmax − n) / (n − 1)

with Saaty's random indices `RANDOM_INDEX` (CR is 0 for n ≤ 2, where any answers are
consistent). A CR above `CR_LIMIT` means the answers contradict each other; the
judgment that disagrees most is the pair whose stated ratio is furthest (on a log
scale) from the ratio w_a / w_b the person's own weights imply.

The group's weights aggregate individual judgments: the principal eigenvector of the
element-wise geometric mean of the complete individual matrices (an incomplete set of
answers is reported as such and left out). With nobody complete, every driver weighs
1/n.

An initiative's strategic score is S = Σ_d w_d × score_d, each score 0–5
(`SCORE_LEVELS`), so S is between 0 and 5.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

#: The most drivers a workspace or portfolio may have (45 pairs to compare).
MAX_DRIVERS = 10
#: Driver keys: lower case, digits, `_` and `-`, starting with a letter.
DRIVER_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]*\Z")
MAX_DRIVER_KEY_LENGTH = 40
MAX_DRIVER_NAME_LENGTH = 100
MAX_DRIVER_DESCRIPTION_LENGTH = 500
#: Impact of an initiative on a driver, by score 0..5.
SCORE_LEVELS = ("none", "minimal", "low", "moderate", "high", "transformative")
MAX_SCORE = len(SCORE_LEVELS) - 1
#: Saaty's scale: how much more important, in words, by intensity 1..9.
INTENSITIES: Mapping[int, str] = {
    1: "equally",
    2: "equally to moderately",
    3: "moderately",
    4: "moderately to strongly",
    5: "strongly",
    6: "strongly to very strongly",
    7: "very strongly",
    8: "very strongly to extremely",
    9: "extremely",
}
#: Saaty's random consistency indices RI for n = 1..10.
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
#: Largest consistency ratio that counts as consistent.
CR_LIMIT = 0.10
#: What `parse_ratio` accepts, for messages.
RATIO_HELP = "a whole number 1 to 9, or 1/2 … 1/9 (a is that many times as important as b)"

_ALLOWED_RATIOS = frozenset(
    [Fraction(k) for k in INTENSITIES] + [Fraction(1, k) for k in INTENSITIES]
)


@dataclass(frozen=True)
class Driver:
    """A business driver: a strategic goal initiatives are scored against."""

    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Judgment:
    """One person's answer for one pair: a is `ratio` times as important as b."""

    by: str
    a: str
    b: str
    ratio: Fraction


def parse_ratio(value: object) -> Fraction:
    """A Saaty ratio k or 1/k (k = 1..9) from an int, "3", "1/3" or a Fraction.

    Raises ValueError saying what is allowed.
    """
    ratio: Fraction | None = None
    if isinstance(value, Fraction):
        ratio = value
    elif isinstance(value, int) and not isinstance(value, bool):
        ratio = Fraction(value)
    elif isinstance(value, float) and value.is_integer():
        ratio = Fraction(int(value))
    elif isinstance(value, str) and len(value) <= 10:
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"[1-9]", text):
            ratio = Fraction(int(text))
        elif re.fullmatch(r"1/[1-9]", text):
            ratio = Fraction(1, int(text[2]))
    if ratio is None or ratio not in _ALLOWED_RATIOS:
        shown = repr(value) if isinstance(value, str | int | float | Fraction) else "that"
        if len(shown) > 40:
            shown = shown[:40] + "…"
        raise ValueError(f"expected {RATIO_HELP}; got {shown}")
    return ratio


def ratio_text(ratio: Fraction) -> str:
    """A ratio as files and the database write it: "3" or "1/3"."""
    return str(ratio.numerator) if ratio.denominator == 1 else f"1/{ratio.denominator}"


def pairs(keys: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Every pair (keys[i], keys[j]) with i < j: what one person is asked."""
    return tuple((keys[i], keys[j]) for i in range(len(keys)) for j in range(i + 1, len(keys)))


@dataclass(frozen=True)
class Disagreement:
    """The judgment furthest from the person's own weights: they said a is `given` times
    as important as b, their weights imply `implied` = w_a / w_b."""

    a: str
    b: str
    given: Fraction
    implied: float


@dataclass(frozen=True)
class PersonWeights:
    """One person's weights (empty until their answers are complete) and consistency."""

    by: str
    weights: Mapping[str, float]
    cr: float | None  # None when incomplete; 0.0 for n <= 2
    complete: bool
    answered: int
    needed: int
    worst: Disagreement | None = None  # set only when cr > CR_LIMIT

    @property
    def consistent(self) -> bool:
        return self.cr is not None and self.cr <= CR_LIMIT


@dataclass(frozen=True)
class DriverWeights:
    """The group's weights: from the complete individual judgments, or equal."""

    drivers: tuple[Driver, ...]
    weights: Mapping[str, float]
    cr: float | None
    people: Mapping[str, PersonWeights] = field(default_factory=dict)
    source: str = "equal"  # "judgments" | "equal"

    @property
    def complete_people(self) -> tuple[str, ...]:
        return tuple(by for by, p in self.people.items() if p.complete)


# --------------------------------------------------------------------------- the matrix math


def random_index(n: int) -> float:
    """Saaty's random index for n criteria (the last tabled one beyond 10)."""
    if n < 1:
        raise ValueError(f"expected at least 1 criterion, got {n}")
    return RANDOM_INDEX[min(n, len(RANDOM_INDEX)) - 1]


def check_reciprocal(matrix: np.ndarray) -> None:
    """Raise ValueError unless `matrix` is square, positive and reciprocal with a unit
    diagonal (within floating-point rounding)."""
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"expected a non-empty square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)) or np.any(matrix <= 0):
        raise ValueError("expected a matrix of positive finite numbers")
    if not np.allclose(matrix * matrix.T, 1.0, rtol=1e-9, atol=0):
        raise ValueError("expected a reciprocal matrix (a_ji = 1 / a_ij, a_ii = 1)")


def matrix_weights(matrix: np.ndarray | Sequence[Sequence[float]]) -> tuple[np.ndarray, float]:
    """The normalized principal eigenvector of a reciprocal matrix and its CR.

    Raises ValueError when the matrix is not positive and reciprocal.
    """
    a = np.asarray(matrix, dtype=float)
    check_reciprocal(a)
    n = a.shape[0]
    if n == 1:
        return np.ones(1), 0.0
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))  # the Perron root: real, positive, the largest
    lam = float(values[k].real)
    vector = np.abs(vectors[:, k].real)
    weights = vector / vector.sum()
    return weights, consistency_ratio(lam, n)


def consistency_ratio(lambda_max: float, n: int) -> float:
    """CR = CI / RI with CI = (λmax − n) / (n − 1); 0 for n <= 2 (and never negative:
    λmax >= n for a reciprocal matrix, anything below is rounding)."""
    if n <= 2:
        return 0.0
    ci = (lambda_max - n) / (n - 1)
    return max(0.0, ci / random_index(n))


def geometric_mean(matrices: Sequence[np.ndarray]) -> np.ndarray:
    """The element-wise geometric mean of reciprocal matrices (itself reciprocal)."""
    if not matrices:
        raise ValueError("expected at least one matrix")
    stack = np.log(np.stack([np.asarray(m, dtype=float) for m in matrices]))
    return np.exp(stack.mean(axis=0))


def worst_pair(keys: Sequence[str], matrix: np.ndarray, weights: np.ndarray) -> tuple[int, int]:
    """Indices (i, j), i < j, of the entry furthest from w_i / w_j on a log scale."""
    best, where = -1.0, (0, 1)
    for i, j in _upper(len(keys)):
        off = abs(math.log(matrix[i, j]) - math.log(weights[i] / weights[j]))
        if off > best + 1e-12:
            best, where = off, (i, j)
    return where


def _upper(n: int) -> list[tuple[int, int]]:
    """Index pairs (i, j) with i < j, in `pairs` order."""
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


# --------------------------------------------------------------------------- judgments


def answers(keys: Sequence[str], judgments: Iterable[Judgment]) -> dict[tuple[str, str], Fraction]:
    """One person's answers by pair in `pairs(keys)` orientation: judgments naming
    unknown drivers (or a driver and itself) are ignored, (b, a) counts as (a, b) with
    1/ratio, and the later of two answers for a pair wins."""
    position = {key: i for i, key in enumerate(keys)}
    out: dict[tuple[str, str], Fraction] = {}
    for j in judgments:
        if j.a not in position or j.b not in position or j.a == j.b:
            continue
        if position[j.a] < position[j.b]:
            out[(j.a, j.b)] = j.ratio
        else:
            out[(j.b, j.a)] = 1 / j.ratio
    return out


def judgment_matrix(keys: Sequence[str], given: Mapping[tuple[str, str], Fraction]) -> np.ndarray:
    """The reciprocal matrix of a complete set of answers (from `answers`)."""
    n = len(keys)
    a = np.ones((n, n))
    for i, j in _upper(n):
        ratio = given[(keys[i], keys[j])]
        a[i, j] = float(ratio)
        a[j, i] = float(1 / ratio)
    return a


def person_weights(
    drivers: Sequence[Driver], judgments: Iterable[Judgment], *, by: str | None = None
) -> PersonWeights:
    """The weights and consistency of one person's judgments.

    `by` names the person when they have no judgments yet; judgments by anyone else
    raise ValueError.
    """
    judgments = tuple(judgments)
    who = by if by is not None else (judgments[0].by if judgments else "")
    others = {j.by for j in judgments} - {who}
    if others:
        raise ValueError(f"judgments of {who!r} mixed with those of {sorted(others)!r}")
    keys = [d.key for d in drivers]
    given = answers(keys, judgments)
    needed = len(keys) * (len(keys) - 1) // 2
    if len(given) < needed or not keys:
        return PersonWeights(
            by=who,
            weights={},
            cr=None,
            complete=False,
            answered=len(given),
            needed=needed,
        )
    matrix = judgment_matrix(keys, given)
    w, cr = matrix_weights(matrix)
    worst = None
    if cr > CR_LIMIT:
        i, j = worst_pair(keys, matrix, w)
        worst = Disagreement(
            a=keys[i],
            b=keys[j],
            given=given[(keys[i], keys[j])],
            implied=float(w[i] / w[j]),
        )
    return PersonWeights(
        by=who,
        weights={k: float(x) for k, x in zip(keys, w, strict=True)},
        cr=cr,
        complete=True,
        answered=len(given),
        needed=needed,
        worst=worst,
    )


def group_weights(drivers: Sequence[Driver], judgments: Iterable[Judgment]) -> DriverWeights:
    """Everyone's weights and the group's (see the module docstring).

    People are those with at least one judgment between two of `drivers`, in order of
    their names.
    """
    drivers = tuple(drivers)
    keys = [d.key for d in drivers]
    by_person: dict[str, list[Judgment]] = {}
    for j in judgments:
        by_person.setdefault(j.by, []).append(j)
    people: dict[str, PersonWeights] = {}
    matrices = []
    for who in sorted(by_person):
        if not answers(keys, by_person[who]):
            continue
        person = person_weights(drivers, by_person[who], by=who)
        people[who] = person
        if person.complete:
            matrices.append(judgment_matrix(keys, answers(keys, by_person[who])))
    if not keys:
        return DriverWeights(drivers=drivers, weights={}, cr=None, people=people)
    if not matrices:
        equal = {k: 1 / len(keys) for k in keys}
        return DriverWeights(drivers=drivers, weights=equal, cr=None, people=people)
    w, cr = matrix_weights(geometric_mean(matrices))
    return DriverWeights(
        drivers=drivers,
        weights={k: float(x) for k, x in zip(keys, w, strict=True)},
        cr=cr,
        people=people,
        source="judgments",
    )


def strategic_score(scores: Mapping[str, int], weights: Mapping[str, float]) -> float:
    """S = Σ_d w_d × score_d over the weighted drivers (a missing score is 0)."""
    return float(sum(w * scores.get(key, 0) for key, w in weights.items()))


def contributions(scores: Mapping[str, int], weights: Mapping[str, float]) -> dict[str, float]:
    """Each driver's part w_d × score_d of the strategic score, in `weights` order."""
    return {key: w * scores.get(key, 0) for key, w in weights.items()}
