"""Best-known figures of generated portfolios (`bench.known`): the reference of their
rows, the verdict's "best known at this bound", and `python -m bench.known`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.cases import Case, materialize
from bench.known import BEST_KNOWN, _seeds, best_known
from bench.paths import PROJECT_ROOT
from bench.report import verdicts
from bench.run import Result


def test_every_best_known_figure_is_a_plan_under_its_bound():
    for (n, phases, seed), known in BEST_KNOWN.items():
        assert 0 < known.value <= known.bound, (n, phases, seed)
        assert known.how


def test_a_generated_case_planned_for_value_carries_its_best_known_value(tmp_path):
    known = best_known(200, 12, 1)
    assert known is not None
    value = materialize(
        Case("generated", "200x12", "gen-200x12-s1", ("generate", 200, 12, 1)), tmp_path
    )
    assert value.reference == known.value
    strategic = Case(
        "generated", "200x12 strategic", "x", ("generate", 200, 12, 1), objective="strategic"
    )
    assert materialize(strategic, tmp_path).reference is None  # other units
    assert (
        materialize(Case("generated", "12x4", "y", ("generate", 12, 4, 1)), tmp_path).reference
        is None
    )


def test_the_verdict_states_the_shortfall_and_the_best_knowns_gap_at_the_bound():
    def result(name, value, bound, reference):
        return Result(
            "generated", "200x12", name, items=200, phases=12, status="feasible", value=value,
            bound=bound, gap=(bound - value) / bound, seconds=10.0, greedy_value=value // 2,
            time_limit=10.0, reference=reference,
        )  # fmt: skip

    results = [result("a", 9_900, 10_000, 9_950), result("b", 9_800, 10_000, 9_900)]
    (verdict,) = [v for v in verdicts(results, family_sizes={}) if v.family == "200x12"]
    assert "short of the best known mean 0.76%, worst 1.01%" in verdict.text
    assert "the best known at this bound: gap mean 0.75%, worst 1.00% (2 with one)" in verdict.text
    assert verdict.met is False


def test_seed_ranges_and_lists():
    assert _seeds("1-3,7") == [1, 2, 3, 7]
    with pytest.raises(Exception, match="expected seeds"):
        _seeds("one")


def test_the_command_solves_with_highs_and_prints_entries_to_paste():
    done = subprocess.run(
        [sys.executable, "-m", "bench.known", "--size", "12x4", "--seeds", "1", "--seconds", "2"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "HiGHS alone, 2 s per instance" in done.stdout
    assert "    (12, 4, 1): Known(" in done.stdout
